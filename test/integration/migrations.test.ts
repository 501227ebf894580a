import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('schema', () => {
  let t: TestDatabase;
  before(async () => { t = await createTestDatabase('schema'); });
  after(async () => { await t?.drop(); });

  it('M2: a number appears once per campaign (unique index)', async () => {
    const [cal] = await t.db('calendars').insert({ name: 'c', timezone: 'UTC', windows: '[]', holidays: '[]' });
    const [camp] = await t.db('campaigns').insert({ name: 'x', calendar_id: cal, call_limit: 1, retry_wait_sec: 1,
      max_tries: 1, min_success_sec: 0, wrapup_sec: 0, variables: '{}', causes: '{}' });
    const now = new Date();
    const [m1] = await t.db('members').insert({ campaign_id: camp, variables: '{}', ready_at: now });
    const [m2] = await t.db('members').insert({ campaign_id: camp, variables: '{}', ready_at: now });
    await t.db('communications').insert({ member_id: m1, campaign_id: camp, number: '100', position: 0 });
    let err: unknown;
    try {
      await t.db('communications').insert({ member_id: m2, campaign_id: camp, number: '100', position: 0 });
    } catch (e) { err = e; }
    expect(err).to.have.property('code', 'ER_DUP_ENTRY');
  });
});
