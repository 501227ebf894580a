import { z } from 'zod';
import { Instant, PhoneNumber } from './common-schemas.js';

export const DncCreate = z.strictObject({ number: PhoneNumber });
export const DncEntry = z.object({
  id: z.number().int(),
  campaign_id: z.number().int().nullable(),
  number: z.string(),
  created_at: Instant.nullable(),
});
export type DncEntry = z.output<typeof DncEntry>;
