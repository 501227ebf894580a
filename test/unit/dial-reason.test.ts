import { expect } from 'chai';
import type { Calendar } from '../../src/domain/calendar.js';
import { describeReason, dialReason, mergeNodeViews, sameReason, type AgentFact, type CampaignFacts, type CampaignReason } from '../../src/domain/dial-reason.js';

// Friday 2026-12-04 12:00 UTC = 14:00 in Kyiv.
const NOW = new Date('2026-12-04T12:00:00Z');
const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((day) => ({ day, start, end }));
const KYIV: Calendar = { timezone: 'Europe/Kyiv', startAt: null, endAt: null, windows: weekdays('09:00', '18:00'), holidays: [] };
const ready: AgentFact = { status: 'Available', state: 'Waiting', delayed: false, registered: true, count: 1 };

function facts(more: Partial<Omit<CampaignFacts, 'members'>> & { members?: Partial<CampaignFacts['members']> } = {}): CampaignFacts {
  const { members, ...rest } = more;
  return {
    calendar: KYIV, zones: [], limit: 10, live: 0, lineGroup: null,
    agents: [ready], nodes: [{ node: '10.0.0.5:8021', up: true, since: null }],
    ...rest,
    members: { readyNowOpen: true, readyNowAny: true, nextReadyAt: null, dialing: 0, waitingResult: 0, ...members },
  };
}

describe('issue 13 §1: why a campaign is (not) dialling', () => {
  const cases: Array<[string, CampaignFacts, Date, string, string]> = [
    ['dialling when nothing stops a claim', facts({ live: 3 }), NOW, 'dialling', 'dialling: 3 live calls of 10'],
    ['F3: every FreeSWITCH node down, with the minute it went down',
      facts({ nodes: [{ node: '10.0.0.5:8021', up: false, since: new Date('2026-12-04T12:02:31Z') }] }), new Date('2026-12-04T12:10:00Z'),
      'freeswitch-down', 'FreeSWITCH 10.0.0.5:8021 down since 14:02'],
    ['F3: a node down does not matter while another is up',
      facts({ nodes: [{ node: 'a:8021', up: false, since: null }, { node: 'b:8021', up: true, since: null }] }), NOW, 'dialling', 'dialling: 0 live calls of 10'],
    ['K2, K4: calendar closed, with its next opening and zone', facts(), new Date('2026-12-04T17:30:00Z'),
      'calendar-closed', 'calendar closed until Mon 09:00 (Europe/Kyiv)'],
    ['K3: ready members only in a closed zone', facts({ zones: ['America/New_York'], members: { readyNowOpen: false, readyNowAny: true } }),
      NOW, 'calendar-closed', 'calendar closed until Fri 09:00 (America/New_York)'],
    ['M3: no member ready yet: the next one due', facts({ members: { readyNowOpen: false, readyNowAny: false, nextReadyAt: new Date('2026-12-04T16:47:00Z'), waitingResult: 1 } }),
      NOW, 'next-member-due', 'next member due at 18:47'],
    ['R1: all remaining members wait for a result', facts({ members: { readyNowOpen: false, readyNowAny: false, waitingResult: 3, dialing: 1 } }),
      NOW, 'waiting-results', 'all remaining members wait for a result (3)'],
    ['the last calls in progress', facts({ members: { readyNowOpen: false, readyNowAny: false, dialing: 2 } }),
      NOW, 'last-calls', 'no member left to dial: 2 calls in progress'],
    ['nothing left at all', facts({ members: { readyNowOpen: false, readyNowAny: false } }), NOW, 'no-members-left', 'no members left to call'],
    ['C2: limit reached', facts({ live: 10 }), NOW, 'limit-reached', 'limit reached 10/10'],
    ['C3: line group full, shared', facts({ live: 4, lineGroup: { name: 'Trunk', capacity: 30, live: 30, sharedWith: ['Survey'] } }),
      NOW, 'line-group-full', 'line group full 30/30 (shared with Survey)'],
    ['A2: Available agents not registered', facts({ agents: [{ ...ready, registered: false, count: 2 }] }),
      NOW, 'no-agent-ready', 'no agent ready: 2 Available but not registered'],
    ['A2, A3: agents busy, in wrap-up, delayed or away',
      facts({ agents: [{ ...ready, state: 'In a queue call', count: 3 }, { ...ready, state: 'Wrap up' }, { ...ready, delayed: true },
        { ...ready, status: 'On Break', registered: false, count: 2 }] }),
      NOW, 'no-agent-ready', 'no agent ready: 3 on a call, 1 in wrap-up, 1 waiting out a delay, 2 not Available'],
    ['A2: no agent assigned', facts({ agents: [] }), NOW, 'no-agent-ready', 'no agent ready: no agent assigned to this campaign'],
  ];
  for (const [title, f, now, code, text] of cases) {
    it(`${title}: ${text}`, () => {
      const r = dialReason(f, now);
      expect(r.code).to.equal(code);
      expect(describeReason(r, now)).to.equal(text);
      // Stored as JSON and read back: the same text.
      expect(describeReason(JSON.parse(JSON.stringify(r)) as CampaignReason, now)).to.equal(text);
    });
  }

  it('the claim\'s order: a node down is said before a closed calendar, the calendar before the limit', () => {
    const closed = new Date('2026-12-04T17:30:00Z');
    expect(dialReason(facts({ live: 10, nodes: [{ node: 'n', up: false, since: null }] }), closed).code).to.equal('freeswitch-down');
    expect(dialReason(facts({ live: 10 }), closed).code).to.equal('calendar-closed');
  });

  const ends: Array<[CampaignReason, string]> = [
    [{ code: 'finished', ended: 2000 }, 'finished: no members left to call (2,000 ended)'],
    [{ code: 'calendar-ended', at: '2026-12-04T10:00:00.000Z' }, 'stopped: calendar expired'],
    [{ code: 'stopped-on-request' }, 'stopped on request'],
  ];
  for (const [r, text] of ends) it(`C10: ${text}`, () => expect(describeReason(r, NOW)).to.equal(text));

  it('a due time on another day names the weekday', () => {
    const r = dialReason(facts({ members: { readyNowOpen: false, readyNowAny: false, nextReadyAt: new Date('2026-12-05T07:15:00Z') } }), NOW);
    expect(describeReason(r, NOW)).to.equal('next member due at Sat 09:15');
  });

  it('several engine processes: the same nodes down at another minute is no news; another node down is', () => {
    const down = (node: string, at: string) => dialReason(facts({ nodes: [{ node, up: false, since: new Date(at) }] }), NOW);
    const stored = JSON.stringify(down('fs1:8021', '2026-12-04T12:02:00Z'));
    expect(sameReason(down('fs1:8021', '2026-12-04T12:03:00Z'), stored)).to.equal(true);
    expect(sameReason(down('fs2:8021', '2026-12-04T12:02:00Z'), stored)).to.equal(false);
    expect(sameReason(dialReason(facts(), NOW), stored)).to.equal(false);
    expect(sameReason(dialReason(facts(), NOW), JSON.stringify(dialReason(facts(), NOW)))).to.equal(true);
    expect(sameReason(dialReason(facts(), NOW), null)).to.equal(false);
  });

  it('F3: the nodes as all engine processes see them: up when any reaches it, down since the last lost it', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 11, 4, 12, m));
    expect(mergeNodeViews([
      { node: 'b', up: false, since: at(1) }, { node: 'a', up: false, since: at(2) }, { node: 'a', up: true, since: at(0) },
      { node: 'b', up: false, since: at(5) }, { node: 'b', up: false, since: at(3) },
    ])).to.deep.equal([{ node: 'a', up: true, since: at(0) }, { node: 'b', up: false, since: at(5) }]);
  });
});
