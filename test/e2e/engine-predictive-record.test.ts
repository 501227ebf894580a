import { expect } from 'chai';
import { until } from '../helpers/stack.js';
import { freePort, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';

const MESSAGE = 'dialer/abandon-info.wav';

/*
 * P3, P5, P6, S3 (issue 18): the subscriber leg of a predictive call ends while no dialer process
 * runs. The switch keeps its own record of the end (the dialer-predictive extension's
 * api_hangup_hook writes it with mod_db, the simulator as the real 1.10.12), and the restarted
 * engine settles the attempt from it: ABANDONED with the answer and message instants, the opt-out
 * key to DNC; then the record is deleted.
 */
describe('fault: a predictive leg ends while no engine runs (P3, P6, S3)', function () {
  this.timeout(120_000);
  let w: FaultWorld;
  // a short message: the switch plays it and hangs up well before the engine is back
  before(async () => { w = await startFaultWorld('fault_pred_record', {}, {}, { abandonMessageMs: 1_000 }); });
  after(async () => { await w?.close(); });

  /** The engine is killed while the subscriber rings; the switch alone answers it, plays the message and hangs up. */
  async function abandonedWhileDown(c: number, n: string, instance: string, port: number) {
    w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 2_000, talkMs: 60_000, optOutDigit: '9' });
    const eng = await w.engine(instance, port);
    const leg = await until('the subscriber leg', async () => w.sim.channels().find((ch) => ch.name === `loopback/${n}-a`) ?? null, 30_000);
    await eng.killHard();
    const ended = await until('the message and the hang-up, no engine running', async () => {
      const ch = w.sim.channelLog().find((x) => x.uuid === leg.uuid);
      return ch && ch.hangupCause ? ch : null;
    }, 30_000);
    expect(ended.answeredUs).to.be.greaterThan(0);
    expect(Number(ended.variables['dialer_message_uepoch'])).to.be.greaterThan(ended.answeredUs);
    // the switch's record, written at the hang-up
    expect(w.sim.dbRows('dialer_predictive').has(leg.uuid)).to.equal(true);
    const again = await w.engine(instance, port);
    const a: Record<string, unknown> = await until('the attempt settled', async () => w.db('attempts').where('campaign_id', c)
      .where('state', 'done').first('id', 'member_id', 'hangup_cause', 'answered_at', 'message_at', 'ended_at', 'member_uuid'), 30_000);
    await until('the record deleted', async () => (w.sim.dbRows('dialer_predictive').has(leg.uuid) ? null : true), 30_000);
    return { a, ended, again };
  }

  it('P3, P6, S3: the restarted engine records the abandon with the answer and message instants from the switch, and does not dial the member again within 72 h', async () => {
    const c = await w.seed.campaign({ max_tries: 3, retry_wait_sec: 1 });
    await w.db('campaigns').where('id', c).update({ type: 'predictive', info_message: MESSAGE });
    await w.agents(1, [c]);
    const [n] = await w.members(c, 1);
    const port = await freePort();
    const { a, ended, again } = await abandonedWhileDown(c, n!, 'fault-pred-rec', port);
    expect(a.member_uuid).to.equal(ended.uuid);
    expect(a.hangup_cause).to.equal('ABANDONED');
    // the switch's instants (ms; the record keeps µs)
    expect((a.answered_at as Date).getTime()).to.equal(Math.floor(ended.answeredUs / 1000));
    expect((a.message_at as Date).getTime()).to.equal(Math.floor(Number(ended.variables['dialer_message_uepoch']) / 1000));
    expect((a.ended_at as Date).getTime()).to.equal(Math.floor(ended.hangupUs / 1000));
    // P6: the member waits its retry (1 s) but is not dialled again; a member added later is
    const [n2] = await w.members(c, 1);
    w.sim.setSubscriber(n2!, { outcome: 'answer', afterMs: 100, talkMs: 300 });
    await until('the second member dialled and done', async () => {
      const done = await w.db('attempts').where('campaign_id', c).whereNot('member_id', a.member_id as number).where('state', 'done').first('id');
      return done ?? null;
    }, 30_000);
    const tries = await w.db('attempts').where('member_id', a.member_id as number).count({ n: '*' }).first();
    expect(Number(tries?.n)).to.equal(1);
    expect(await again.stop()).to.equal(0);
  });

  it('P3, S3: the opt-out key pressed during the message while no engine ran puts the number on the DNC list', async () => {
    const c = await w.seed.campaign({ max_tries: 3, retry_wait_sec: 1 });
    await w.db('campaigns').where('id', c).update({ type: 'predictive', info_message: MESSAGE, dnc_opt_out_key: '9' });
    await w.agents(1, [c]);
    const [n] = await w.members(c, 1);
    const port = await freePort();
    const { a, ended, again } = await abandonedWhileDown(c, n!, 'fault-pred-optout', port);
    expect(ended.variables['dialer_optout_digit']).to.equal('9');
    expect(a.hangup_cause).to.equal('ABANDONED');
    expect(a.message_at).to.be.instanceOf(Date);
    const dnc: { number: string } = await until('the number on the DNC list', async () => (await w.db('dnc').where({ campaign_id: c, number: n }).first('number')) ?? null, 30_000);
    expect(dnc.number).to.equal(n);
    expect(await again.stop()).to.equal(0);
  });
});
