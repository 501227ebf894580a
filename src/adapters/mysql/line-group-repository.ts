import type { Knex } from 'knex';
import type { LineGroup, LineGroupCreateInput, LineGroupUpdateInput } from '../../contract/line-group-schemas.js';
import { isDuplicateKey, isForeignKeyError, isoOrNull } from './row-mapping.js';
import type { LineGroupWrite, LineGroupStore } from '../../app/ports/line-group-store.js';

function toLineGroup(r: Record<string, unknown>): LineGroup {
  return {
    id: Number(r.id),
    name: String(r.name),
    capacity: Number(r.capacity),
    created_at: isoOrNull(r.created_at),
    updated_at: isoOrNull(r.updated_at),
  };
}

export class LineGroupRepository implements LineGroupStore {
  constructor(private readonly db: Knex) {}

  async list(): Promise<LineGroup[]> {
    return (await this.db('line_groups').orderBy('id')).map(toLineGroup);
  }

  async get(id: number): Promise<LineGroup | undefined> {
    const r = await this.db('line_groups').where({ id }).first();
    return r ? toLineGroup(r) : undefined;
  }

  async create(g: LineGroupCreateInput, now: Date): Promise<LineGroupWrite> {
    try {
      const [id] = await this.db('line_groups').insert({ ...g, created_at: now, updated_at: now });
      return { kind: 'ok', lineGroup: (await this.get(Number(id)))! };
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `a line group named "${g.name}" exists` };
      throw err;
    }
  }

  async update(id: number, g: LineGroupUpdateInput, now: Date): Promise<LineGroupWrite> {
    if (!(await this.get(id))) return { kind: 'not-found' };
    try {
      await this.db('line_groups').where({ id }).update({ ...g, updated_at: now });
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'conflict', message: `a line group named "${g.name}" exists` };
      throw err;
    }
    return { kind: 'ok', lineGroup: (await this.get(id))! };
  }

  async delete(id: number): Promise<'deleted' | 'not-found' | 'in-use'> {
    try {
      return (await this.db('line_groups').where({ id }).delete()) > 0 ? 'deleted' : 'not-found';
    } catch (err) {
      if (isForeignKeyError(err)) return 'in-use';
      throw err;
    }
  }
}
