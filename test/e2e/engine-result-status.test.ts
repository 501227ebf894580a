import { expect } from 'chai';
import { pino } from 'pino';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { httpClient } from '../helpers/http-client.js';
import { startStack, until, type Stack } from '../helpers/stack.js';
import {
  addMembers, attempts, attemptsReach, createAgents, createCampaign, member, memberDone, number, run,
} from '../helpers/e2e-fixtures.js';

const ms = (iso: string) => Date.parse(iso);

/** Waits until the member's attempt n (1-based) is settled and the member is ready again. */
async function settled(s: Stack, c: number, mid: number, n: number) {
  return until(`attempt ${n} of member ${mid} settled`, async () => {
    const list = await attempts(s, c, mid);
    const m = await member(s, c, mid);
    return list.length === n && list[n - 1].state === 'done' && m.state !== 'dialing' ? { list, m } : null;
  });
}

function status(s: Stack, c: number, mid: number, body: Record<string, unknown>) {
  return s.call('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, body);
}

/**
 * A running campaign with one agent and one member whose numbers are scripted as given.
 * The retry wait is long, so only a status's next_after_sec brings the next try early.
 */
async function setup(s: Stack, scripts: ('busy' | 'answer')[], campaign: Record<string, unknown> = {}) {
  const c = await createCampaign(s, { retry_wait_sec: 600, max_tries: 2, min_success_sec: 0, ...campaign });
  await createAgents(s, 1, [c]);
  const numbers = scripts.map((o) => {
    const n = number();
    s.sim.setSubscriber(n, o === 'busy' ? { outcome: 'busy', afterMs: 20 } : { outcome: 'answer', afterMs: 20, talkMs: 100 });
    return n;
  });
  const [mid] = await addMembers(s, c, [{
    name: 'x', communications: numbers.map((n, i) => ({ number: n, priority: scripts.length - i })),
  }]);
  await run(s, c);
  return { c, mid: mid!, numbers };
}

describe('engine end to end: result status', function () {
  this.timeout(60_000);
  let s: Stack;
  before(async () => { s = await startStack('result-status'); });
  after(async () => { await s?.close(); });

  it('R1, C4: next_after_sec brings the next try forward (before the retry wait) and sets when it happens', async () => {
    const { c, mid } = await setup(s, ['busy'], { max_tries: 5 });
    const { m } = await settled(s, c, mid, 1);
    expect(m.state).to.equal('ready');
    expect(ms(m.ready_at)).to.be.greaterThan(Date.now() + 60_000);
    const sent = Date.now();
    const r = await status(s, c, mid, { success: false, next_after_sec: 2 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(ms(r.body.ready_at)).to.be.at.least(sent + 2000 - 5);
    const list = await attemptsReach(s, c, mid, 2);
    expect(ms(list[1].created_at)).to.be.at.least(ms(r.body.ready_at));
    expect(ms(list[1].created_at)).to.be.at.least(sent + 2000 - 5);
  });

  it('R1, C5: reset_retries clears the count, so the member gets max_tries more attempts', async () => {
    const { c, mid } = await setup(s, ['busy'], { max_tries: 2 });
    const one = await settled(s, c, mid, 1);
    expect(one.m.tries).to.equal(1);
    const r = await status(s, c, mid, { success: false, reset_retries: true, next_after_sec: 0 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.tries).to.equal(0);
    const two = await settled(s, c, mid, 2);
    expect(two.m.state).to.equal('ready');
    expect(two.m.tries).to.equal(1);
    const r2 = await status(s, c, mid, { success: false, next_after_sec: 0 });
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('MAX_TRY_COUNT');
    expect(await attempts(s, c, mid)).to.have.length(3);
  });

  it('R1: next_communication chooses an existing number (over the usual rotation) and adds a new one at the top priority', async () => {
    const { c, mid, numbers } = await setup(s, ['busy', 'busy'], { max_tries: 5 });
    const [n1] = numbers;
    const one = await settled(s, c, mid, 1);
    expect(one.list[0].number).to.equal(n1);
    // Rotation would dial n2 next; the status asks for n1 again.
    expect((await status(s, c, mid, { success: false, next_communication: n1, next_after_sec: 0 })).status).to.equal(200);
    const two = await settled(s, c, mid, 2);
    expect(two.list[1].number).to.equal(n1);
    const n3 = number();
    s.sim.setSubscriber(n3, { outcome: 'answer', afterMs: 20, talkMs: 100 });
    const r = await status(s, c, mid, { success: false, next_communication: n3, next_after_sec: 0, comment: 'new number' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const added = r.body.communications.find((x: any) => x.number === n3);
    expect(added.state).to.equal('active');
    expect(added.priority).to.be.greaterThan(Math.max(...r.body.communications.filter((x: any) => x.number !== n3).map((x: any) => x.priority)));
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const list = await attempts(s, c, mid);
    expect(list).to.have.length(3);
    expect(list[2].number).to.equal(n3);
    expect(list[1].comment).to.equal('new number');
  });

  it('R1: stop_communications (a list) is never dialled again', async () => {
    const { c, mid, numbers } = await setup(s, ['busy', 'busy', 'answer'], { max_tries: 5 });
    const [n1, n2, n3] = numbers;
    const one = await settled(s, c, mid, 1);
    expect(one.list[0].number).to.equal(n1);
    const r = await status(s, c, mid, { success: false, stop_communications: [n2], next_after_sec: 0 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.communications.find((x: any) => x.number === n2).state).to.equal('stopped');
    const m = await memberDone(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    const list = await attempts(s, c, mid);
    expect(list.map((a) => a.number)).to.deep.equal([n1, n3]);
  });

  it('R1: stop_communications "all" keeps only next_communication; without one the member ends', async () => {
    const a = await setup(s, ['busy', 'busy', 'answer'], { max_tries: 5 });
    await settled(s, a.c, a.mid, 1);
    const r = await status(s, a.c, a.mid, { success: false, stop_communications: 'all', next_communication: a.numbers[2], next_after_sec: 0 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.communications.map((x: any) => x.state)).to.deep.equal(['stopped', 'stopped', 'active']);
    const m = await memberDone(s, a.c, a.mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect((await attempts(s, a.c, a.mid)).map((x) => x.number)).to.deep.equal([a.numbers[0], a.numbers[2]]);

    const b = await setup(s, ['busy', 'busy'], { max_tries: 5 });
    await settled(s, b.c, b.mid, 1);
    const r2 = await status(s, b.c, b.mid, { success: false, stop_communications: 'all' });
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    expect(r2.body.state).to.equal('done');
    expect(r2.body.result).to.equal('NO_COMMUNICATIONS');
    expect(await attempts(s, b.c, b.mid)).to.have.length(1);
  });

  it('R1: success:true ends a member waiting for its retry; success:false on a waiting-for-result member counts the attempt and retries', async () => {
    const a = await setup(s, ['busy'], { max_tries: 5 });
    await settled(s, a.c, a.mid, 1);
    const r = await status(s, a.c, a.mid, { success: true });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.state).to.equal('done');
    expect(r.body.result).to.equal('NORMAL_CLEARING');

    const b = await setup(s, ['answer'], { max_tries: 5, wait_result: true, wrapup_sec: 60 });
    await until('waiting for result', async () => (await member(s, b.c, b.mid)).state === 'waiting_result');
    const r2 = await status(s, b.c, b.mid, { success: false, next_after_sec: 0 });
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    expect(r2.body.tries).to.equal(1);
    const list = await attemptsReach(s, b.c, b.mid, 2);
    expect(list[0].outcome).to.equal('retry');
    expect(list[0].result_status).to.deep.include({ success: false });
  });

  it('R2: the same status twice for the same attempt is idempotent; a different one on the finished member is a 409', async () => {
    const { c, mid } = await setup(s, ['answer'], { wait_result: true, wrapup_sec: 60 });
    await until('waiting for result', async () => (await member(s, c, mid)).state === 'waiting_result');
    const body = { success: true, comment: 'done deal' };
    const r1 = await status(s, c, mid, body);
    expect(r1.status, JSON.stringify(r1.body)).to.equal(200);
    const r2 = await status(s, c, mid, body);
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    expect(r2.body).to.deep.equal(r1.body);
    const r3 = await status(s, c, mid, { success: false, next_after_sec: 0 });
    expect(r3.status).to.equal(409);
    expect(JSON.stringify(r3.body)).to.match(/NORMAL_CLEARING/);
    const m = await member(s, c, mid);
    expect(m.result).to.equal('NORMAL_CLEARING');
    expect(await attempts(s, c, mid)).to.have.length(1);
  });

  it('R2: a second, different success:false status for the same attempt applies (the redial follows it); the same one again changes nothing', async () => {
    const { c, mid } = await setup(s, ['answer'], { max_tries: 5, wait_result: true, wrapup_sec: 60 });
    await until('waiting for result', async () => (await member(s, c, mid)).state === 'waiting_result');
    const r1 = await status(s, c, mid, { success: false, next_after_sec: 600, comment: 'later' });
    expect(r1.status, JSON.stringify(r1.body)).to.equal(200);
    expect(r1.body.tries).to.equal(1);
    // Changed mind, same attempt: sooner after all.
    const second = { success: false, next_after_sec: 5, comment: 'sooner' };
    const r2 = await status(s, c, mid, second);
    expect(r2.status, JSON.stringify(r2.body)).to.equal(200);
    expect(ms(r2.body.ready_at)).to.be.lessThan(ms(r1.body.ready_at));
    expect(r2.body.tries).to.equal(1);
    const version = async () => (await s.tdb.db('members').where('id', mid).first('version')).version;
    const before = await version();
    const r3 = await status(s, c, mid, second);
    expect(r3.status, JSON.stringify(r3.body)).to.equal(200);
    expect(r3.body).to.deep.equal(r2.body);
    expect(await version(), 'the repeat wrote nothing').to.equal(before);
    const list = await attemptsReach(s, c, mid, 2);
    expect(ms(list[1].created_at)).to.be.at.least(ms(r2.body.ready_at));
    expect(list[0]).to.deep.include({ comment: 'sooner', outcome: 'retry' });
    expect(list[0].result_status).to.deep.equal(second);
  });

  it('R2: a status for a member the call already finished gets a 409 and changes nothing', async () => {
    const { c, mid } = await setup(s, ['answer']);
    const done = await memberDone(s, c, mid);
    const r = await status(s, c, mid, { success: false, reset_retries: true, next_after_sec: 0 });
    expect(r.status).to.equal(409);
    const m = await member(s, c, mid);
    expect(m).to.deep.equal(done);
  });
});

/*
 * R1 through a process that does not dial (DIALER_ENGINE=false): the same rule, the member's
 * wake-up as a durable timer and the news to the engines, so the dialling process acts on it.
 */
describe('engine end to end: result status sent to an API-only process', function () {
  this.timeout(60_000);
  let s: Stack;
  let apiOnly: Runtime;
  let send: ReturnType<typeof httpClient>['send'];
  before(async () => {
    // No beat and no sweep within the test: only the status's wake-up and news can bring the try.
    s = await startStack('result-status-api', { leaseSec: 3600, sweepMs: 3_600_000 });
    const cfg = { ...s.cfg, engine: false, instanceId: `${s.cfg.instanceId}-api-only` };
    const log = pino({ level: 'silent' });
    const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile,
      routeContext: cfg.routeContext, log });
    apiOnly = await startRuntime({ cfg, log, telephony });
    send = httpClient(`http://127.0.0.1:${apiOnly.api.port}`).send;
  });
  after(async () => {
    await apiOnly?.close();
    await s?.close();
  });

  it('R1, C4: next_after_sec on the API-only process brings the next try forward on the engine process', async () => {
    const { c, mid } = await setup(s, ['busy'], { max_tries: 5 });
    const { m } = await settled(s, c, mid, 1);
    expect(ms(m.ready_at)).to.be.greaterThan(Date.now() + 60_000);
    const r = await send('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, JSON.stringify({ success: false, next_after_sec: 1 }),
      'application/json', s.admin);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(ms(r.body.ready_at)).to.be.lessThan(Date.now() + 60_000);
    const list = await attemptsReach(s, c, mid, 2);
    expect(ms(list[1].created_at)).to.be.at.least(ms(r.body.ready_at));
  });

  it('R1, C10: success:true on the API-only process ends the member, and the campaign with its last member', async () => {
    const { c, mid } = await setup(s, ['busy'], { max_tries: 5 });
    await settled(s, c, mid, 1);
    const r = await send('PUT', `/api/v2/dialer/${c}/members/${mid}/status`, JSON.stringify({ success: true }), 'application/json', s.admin);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.state).to.equal('done');
    await until('the campaign ended', async () => ((await s.call('GET', `/api/v2/dialer/${c}`)).body.state === 'finished' ? true : null));
  });
});
