/*
 * P3, S3 (issue 18): the switch's record of an ended predictive subscriber leg (mod_db, written by
 * the dialer-predictive extension's api_hangup_hook) as the real FreeSWITCH 1.10.12 wrote and
 * answered it (test/fixtures/freeswitch-esl/README.md, "The switch's record"), and the
 * simulator's mod_db giving the same answers.
 */
import { expect } from 'chai';
import { recordEnd, recordKeys } from '../../src/adapters/freeswitch/predictive-record.js';
import { expandHook, SwitchDb } from '../../src/simulator/switch-db.js';
import { predictiveHangupHook } from '../../src/simulator/predictive-call.js';

const U = '537d46e7-c6cc-4c42-8a6a-e60aa702452e';
const at = (us: number) => new Date(Math.floor(us / 1000));

describe('the switch record of a predictive leg (P3, S3)', () => {
  it('an abandon: answer, message start and end instants, no key, no bridge (as written by 1.10.12)', () => {
    const end = recordEnd(U, '41|1796434140698642|0|1796434142218641||1796434143798642|NORMAL_CLEARING');
    expect(end).to.deep.equal({
      attemptId: 41, memberUuid: U, cause: 'NORMAL_CLEARING', answeredAt: at(1796434140698642), bridgedAt: null,
      messageAt: at(1796434142218641), optOutDigit: null, endedAt: at(1796434143798642), talkSec: 0, endKnown: true,
    });
  });

  it('the opt-out key; a hang-up before the message; a bridged call with its talk from the bridge', () => {
    expect(recordEnd(U, '42|1796434140698642|0|1796434142218641|9|1796434143018650|NORMAL_CLEARING')?.optOutDigit).to.equal('9');
    const early = recordEnd(U, '43|1796434140698642|0|||1796434141038648|NORMAL_CLEARING');
    expect(early).to.include({ attemptId: 43, messageAt: null, optOutDigit: null, bridgedAt: null });
    const bridged = recordEnd(U, '44|1796434155178643|1796434155218640|||1796434161178647|NORMAL_CLEARING');
    expect(bridged).to.include({ talkSec: 5 });
    expect(bridged?.bridgedAt).to.deep.equal(at(1796434155218640));
  });

  it('no record: `-ERR no reply` (mod_event_socket\'s empty answer), and anything not of ours', () => {
    expect(recordEnd(U, '-ERR no reply\n')).to.equal(null);
    expect(recordEnd(U, 'v|1|2')).to.equal(null);
    expect(recordEnd(U, 'x|1|0|||2|NORMAL_CLEARING')).to.equal(null);
  });

  it('the list: uuids joined by commas; a list cut at mod_db\'s 4095 characters leaves its last key out and says so', () => {
    const a = '2cb08cbf-e7cc-430e-8b08-b4c7f7dcc656';
    const b = '1813bfca-f193-4949-877a-c161ffac2c27';
    expect(recordKeys(`${a},${b}`)).to.deep.equal({ uuids: [a, b], cut: false });
    expect(recordKeys('-ERR no reply\n')).to.deep.equal({ uuids: [], cut: false });
    const db = new SwitchDb();
    const many = Array.from({ length: 120 }, (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);
    for (const k of many) db.insert('dialer_predictive', k, '1');
    const listed = db.api('list/dialer_predictive');
    // 1.10.12 with these 120 keys: 4094 characters, 110 commas, the 111th key cut after 24 characters
    expect(listed).to.have.length(4094);
    expect(listed.endsWith(',00000110-0000-4000-8000-')).to.equal(true);
    const r = recordKeys(listed);
    expect(r.cut).to.equal(true);
    expect(r.uuids).to.deep.equal(many.slice(0, 110));
  });

  it('the simulator\'s mod_db answers as 1.10.12 did over the event socket', () => {
    const db = new SwitchDb();
    expect(db.api('select/dialer_predictive/nokey')).to.equal('-ERR no reply\n');
    expect(db.api('list/dialer_predictive')).to.equal('-ERR no reply\n');
    expect(db.api('count/dialer_predictive')).to.equal('0');
    expect(db.api('exists/dialer_predictive/nokey')).to.equal('false');
    expect(db.api('insert/x/k1/v|1|2')).to.equal('+OK');
    expect(db.api('select/x/k1')).to.equal('v|1|2');
    expect(db.api('list/x')).to.equal('k1');
    expect(db.api('delete/x/k1')).to.equal('+OK');
    expect(db.api('delete/x/k1')).to.equal('+OK');
    expect(db.api('list/x')).to.equal('-ERR no reply\n');
    expect(db.api('bogus')).to.equal('!err!');
  });

  it('the hook as the simulator runs it: the record, expanded at the hang-up, unset variables empty', () => {
    const vars: Record<string, string> = { answer_uepoch: '1796434140698642', bridge_uepoch: '0', dialer_message_uepoch: '1796434142218641',
      end_uepoch: '1796434143798642', hangup_cause: 'NORMAL_CLEARING' };
    const { cmd, arg } = expandHook(predictiveHangupHook(U, '41'), (n) => vars[n]);
    expect(cmd).to.equal('db');
    const db = new SwitchDb();
    expect(db.api(arg)).to.equal('+OK');
    expect(db.api(`select/dialer_predictive/${U}`)).to.equal('41|1796434140698642|0|1796434142218641||1796434143798642|NORMAL_CLEARING');
  });
});
