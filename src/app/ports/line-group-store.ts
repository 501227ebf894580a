import type { LineGroup, LineGroupCreateInput, LineGroupUpdateInput } from '../../contract/line-group-schemas.js';

export type LineGroupWrite = { kind: 'ok'; lineGroup: LineGroup } | { kind: 'not-found' } | { kind: 'conflict'; message: string };

/** C3: line groups, whose capacity the campaigns naming them share. */
export interface LineGroupStore {
  list(): Promise<LineGroup[]>;
  get(id: number): Promise<LineGroup | undefined>;
  create(g: LineGroupCreateInput, now: Date): Promise<LineGroupWrite>;
  update(id: number, g: LineGroupUpdateInput, now: Date): Promise<LineGroupWrite>;
  delete(id: number): Promise<'deleted' | 'not-found' | 'in-use'>;
}
