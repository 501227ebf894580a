import { z } from 'zod';
import { MemberListQuery } from './member-schemas.js';

/*
 * Issue 13 §3: bulk member actions (reset tries, delete, export) by the members list's own
 * filter, so what the supervisor sees listed is what a bulk action changes.
 */

/** The members list's filters (state, result, number, name, wait), without its paging. */
export const MemberFilter = MemberListQuery.omit({ limit: true, after: true });
export type MemberFilter = z.output<typeof MemberFilter>;

export const MemberBulkBody = z.strictObject({
  filter: MemberFilter.meta({ description: 'the members list\'s filters; {} for every member of the campaign' }),
});

export const MemberBulkCount = z.object({
  matching: z.number().int().meta({ description: 'members the filter matches now' }),
  in_call: z.number().int().meta({ description: 'of them, members in a call or waiting for its result status (C7): a bulk reset or delete skips these' }),
});

export const MemberBulkOutcome = z.object({
  matched: z.number().int().meta({ description: 'members the filter matched' }),
  changed: z.number().int().meta({ description: 'members whose tries were reset, or that were deleted' }),
  skipped_in_call: z.number().int().meta({ description: 'members left as they were: in a call or waiting for its result status (C7)' }),
});
export type MemberBulkOutcome = z.output<typeof MemberBulkOutcome>;

export const MemberExportQuery = MemberFilter.extend({
  sep: z.enum([',', ';']).optional().meta({ description: 'CSV separator; `;` adds a first line sep=; for spreadsheets' }),
});
