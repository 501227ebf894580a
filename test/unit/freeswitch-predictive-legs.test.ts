import { expect } from 'chai';
import { memberLegCommand, nailedLegCommand, predictiveEndOf, RING_MARGIN_SEC } from '../../src/adapters/freeswitch/predictive-legs.js';
import type { EslEvent } from '../../src/adapters/freeswitch/event-parser.js';

const UUID = '034fccc1-7c7a-416e-a6e0-c040257880d9';
const member = {
  attemptId: 101, legUuid: UUID, node: 'fs1', number: '5551234', minRingSec: 15, abandonMessage: 'dialer/abandon-info.wav',
  optOutKey: null, callerIdNumber: '5550000', callerIdName: 'Dialer', variables: { dialer_campaign: 'camp 1' },
};

describe('FreeSWITCH predictive legs: commands and ends (P3, P5)', () => {
  it('P3, P5: the subscriber leg goes into dialer-predictive with its own uuid, the message, min ring + margin; 09 recorded this shape', () => {
    const c = memberLegCommand(member, 'dialer-out');
    expect(c.kind).to.equal('ok');
    if (c.kind !== 'ok') return;
    expect(c.command).to.equal(`originate {origination_uuid=${UUID},originate_timeout=${15 + RING_MARGIN_SEC},ignore_early_media=true,dialer_attempt_id=101,`
      + 'dialer_abandon_message=dialer/abandon-info.wav,hangup_after_bridge=true,loopback_bowout=false,origination_caller_id_number=5550000,'
      + 'origination_caller_id_name=Dialer,dialer_campaign=camp\\s1}loopback/5551234/dialer-out dialer_predictive XML dialer-predictive');
    expect(memberLegCommand({ ...member, optOutKey: '9' }, 'dialer-out')).to.have.property('command').that.includes(',dialer_optout_key=9,');
  });

  it('P3: what cannot reach the switch safely is refused: a number, a message with ${, an opt-out key that is no key', () => {
    expect(memberLegCommand({ ...member, number: '555 1234' }, 'r').kind).to.equal('invalid');
    expect(memberLegCommand({ ...member, abandonMessage: '${system rm}' }, 'r').kind).to.equal('invalid');
    expect(memberLegCommand({ ...member, optOutKey: '99' }, 'r').kind).to.equal('invalid');
    // a campaign variable cannot take over the dialer's own
    const c = memberLegCommand({ ...member, variables: { hangup_after_bridge: 'false', origination_uuid: 'x' } }, 'r');
    expect(c.kind === 'ok' && c.command.match(/hangup_after_bridge=/g)).to.have.length(1);
  });

  it('P3: the nailed-up agent leg is parked and parked again after each call', () => {
    const c = nailedLegCommand({ agentId: 7, legUuid: UUID, node: 'fs1', sipUser: '1000@127.0.0.1', ringSec: 10, callerIdNumber: '5550000', callerIdName: 'Dialer' });
    expect(c.kind === 'ok' && c.command).to.equal(`originate {origination_uuid=${UUID},originate_timeout=10,ignore_early_media=true,park_after_bridge=true,`
      + 'dialer_agent_leg=7,origination_caller_id_number=5550000,origination_caller_id_name=Dialer}user/1000@127.0.0.1 &park()');
  });

  it('P3: the end of an abandoned and of a bridged call, from loopback-a\'s CHANNEL_HANGUP_COMPLETE (09)', () => {
    const ev = (h: Record<string, string>): EslEvent => ({ name: 'CHANNEL_HANGUP_COMPLETE', headers: { 'Unique-ID': UUID, 'Hangup-Cause': 'NORMAL_CLEARING', ...h } } as unknown as EslEvent);
    const abandoned = predictiveEndOf(ev({
      variable_answer_uepoch: '1796421416200090', variable_dialer_message_uepoch: '1796421417240114', variable_bridge_uepoch: '0',
      'Caller-Channel-Hangup-Time': '1796421420240000', variable_dialer_optout_digit: '9',
    }), 102);
    expect(abandoned).to.include({ attemptId: 102, cause: 'NORMAL_CLEARING', bridgedAt: null, talkSec: 0, optOutDigit: '9', endKnown: true });
    expect(abandoned.messageAt!.getTime() - abandoned.answeredAt!.getTime()).to.equal(1040);
    const bridged = predictiveEndOf(ev({
      variable_answer_uepoch: '1796421411820086', variable_bridge_uepoch: '1796421411900097', 'Caller-Channel-Hangup-Time': '1796421414900097',
    }), 101);
    expect(bridged).to.include({ messageAt: null, talkSec: 3, optOutDigit: null });
  });
});
