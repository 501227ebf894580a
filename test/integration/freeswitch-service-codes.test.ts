/*
 * A5: service numbers over TCP. The simulated phone call runs what the shipped dialplan
 * extension does (set dialer_sip_user, answer, socket), and the adapter names the agent by
 * dialer_sip_user; without it (an operator's own dialplan) by the phone's user_name@domain_name.
 */
import { expect } from 'chai';
import { CONFIRM_TONE } from '../../src/adapters/freeswitch/service-codes.js';
import { startRig, waitFor, type Rig } from './freeswitch-harness.js';

const PHONE = '1000@127.0.0.1';

describe('FreeSWITCH adapter: service numbers from a phone', function () {
  this.timeout(20_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig({ agents: { [PHONE]: {} } });
    await waitFor(() => rig.tel.upNodes().length === 1, 'node up');
  });
  afterEach(async () => {
    await rig.close();
  });

  it('A5: the SIP user comes from dialer_sip_user, the variable the dialplan sets', async () => {
    // A dialplan that names the agent differently from the phone's directory user, so only the
    // dialer_sip_user lookup can give this value.
    const r = await rig.sim.dialServiceCode(PHONE, '*102', { dialerSipUser: '1000@agents.example' });
    expect(r).to.deep.equal({ hangupCause: 'NORMAL_CLEARING', played: [CONFIRM_TONE] });
    expect(rig.handler.serviceCalls).to.deep.equal([{ node: rig.node, sipUser: '1000@agents.example', code: 'break' }]);
  });

  it('A5: the shipped dialplan (dialer_sip_user = user_name@domain_name) names the phone\'s own user', async () => {
    await rig.sim.dialServiceCode(PHONE, '*100');
    expect(rig.handler.serviceCalls).to.deep.equal([{ node: rig.node, sipUser: PHONE, code: 'login' }]);
  });

  it('A5: without dialer_sip_user the phone\'s user_name@domain_name is used', async () => {
    const r = await rig.sim.dialServiceCode(PHONE, '*101', { dialerSipUser: null });
    expect(r).to.deep.equal({ hangupCause: 'NORMAL_CLEARING', played: [CONFIRM_TONE] });
    expect(rig.handler.serviceCalls).to.deep.equal([{ node: rig.node, sipUser: PHONE, code: 'logout' }]);
  });
});
