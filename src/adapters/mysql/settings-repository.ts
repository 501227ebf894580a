import type { Knex } from 'knex';

/** Small named values kept in the database (e.g. the generated token secret). */
export class SettingsRepository {
  constructor(private readonly db: Knex) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db('settings').where({ name }).first('value');
    return row?.value as string | undefined;
  }

  /** Stores the value unless one exists, then returns the stored one (safe with several processes). */
  async getOrInsert(name: string, value: string): Promise<string> {
    await this.db('settings').insert({ name, value }).onConflict('name').ignore();
    const stored = await this.get(name);
    if (stored === undefined) throw new Error(`setting ${name} vanished after insert`);
    return stored;
  }
}
