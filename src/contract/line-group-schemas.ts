import { z } from 'zod';
import { Timestamps } from './common-schemas.js';

const fields = {
  name: z.string().trim().min(1).max(128),
  /** C3: simultaneous calls of every campaign naming this group. */
  capacity: z.number().int().min(1).max(100_000),
};

export const LineGroupCreate = z.strictObject(fields);
export const LineGroupUpdate = z.strictObject(fields).partial();
export type LineGroupCreateInput = z.output<typeof LineGroupCreate>;
export type LineGroupUpdateInput = z.output<typeof LineGroupUpdate>;

export const LineGroup = z.object({ id: z.number().int(), ...fields, ...Timestamps });
export type LineGroup = z.output<typeof LineGroup>;
