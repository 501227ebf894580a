import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { pino } from 'pino';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { MysqlAgentDeskStore } from '../../src/adapters/mysql/agent-desk-store.js';
import { RedisDeskLog } from '../../src/adapters/queue/redis-desk-log.js';
import { RedisPresence } from '../../src/adapters/queue/redis-presence.js';
import { DeskEventHub } from '../../src/app/agent-desk/desk-event-hub.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import { AgentSocketClient } from '../helpers/agent-socket-client.js';
import { httpClient, type Credentials } from '../helpers/http-client.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';

/*
 * The CTI socket's door and its answers to bad messages (W1, W2, W4, S1), on the REST API alone.
 */
describe('the agent socket: tickets, roles and bad messages (W1, W2, W4, S1)', () => {
  let api: TestApi;
  let queue: Queue;
  let web: ReturnType<typeof webClient>;
  let hub: DeskEventHub;
  let deskLog: RedisDeskLog;
  let presence: RedisPresence;
  let agent: { id: number; auth: Credentials };
  const clients: AgentSocketClient[] = [];

  before(async () => {
    const prefix = `{agent-socket-${randomBytes(4).toString('hex')}}`;
    const log = pino({ level: 'silent' });
    queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    deskLog = new RedisDeskLog({ redisUrl: 'redis://127.0.0.1:6379', prefix, instanceId: 'test', log });
    // The store reads the API's database, created with it below.
    hub = new DeskEventHub({ log: deskLog, store: { state: (id) => new MysqlAgentDeskStore(api.tdb.db).state(id) }, feed: new LiveFeed(), logger: log,
      now: () => new Date() });
    await hub.start();
    presence = new RedisPresence({ redisUrl: 'redis://127.0.0.1:6379', prefix, log, heartbeatMs: 5_000, graceMs: 10_000 });
    web = webClient({ feed: undefined, queues: [queue], agentSocket: { hub, presence } });
    api = await startTestApi('agent_socket', { extraRouters: web.routers, ...(web.upgrade ? { upgrade: web.upgrade } : {}) });
    const a = await api.call('POST', '/api/v2/agents', { name: 'Sock', sip_user: 'sock@test' });
    await api.call('POST', '/api/v2/users', { username: 'sock', password: 'sock-password-1', role: 'agent', agent_id: a.body.id });
    agent = { id: a.body.id, auth: await httpClient(api.url).login('sock', 'sock-password-1') };
  });
  after(async () => {
    clients.forEach((c) => c.close());
    web?.close();
    hub?.close();
    await api?.close();
    await deskLog?.close();
    await presence?.close();
    await queue?.close();
  });

  const ticket = async (auth: Credentials | null) => api.call('POST', '/api/v2/agent/socket/ticket', undefined, auth);

  it('S1, W2: no ticket, an unknown one or a used one is a 401 before any upgrade; a ticket is single-use', async () => {
    expect(await AgentSocketClient.refusal(api.url, null)).to.deep.include({ status: 401 });
    expect((await AgentSocketClient.refusal(api.url, 'made-up')).body.error).to.include({ code: 'UNAUTHORIZED' });
    const t = await ticket(agent.auth);
    expect(t.status).to.equal(200);
    expect(t.body.expires_in_sec).to.be.above(0);
    const c = await AgentSocketClient.connect(api.url, t.body.ticket);
    clients.push(c);
    expect((await c.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined))).value.state.agent.id).to.equal(agent.id);
    const reused = await AgentSocketClient.refusal(api.url, t.body.ticket);
    expect(reused.status).to.equal(401);
    expect(reused.body.error.message).to.equal('a fresh ticket from POST /api/v2/agent/socket/ticket is required');
    // Without credentials there is no ticket either.
    expect((await ticket(null)).status).to.equal(401);
  });

  it('W1, W2, S1: an agent user connects as its own agent only; a supervisor names the agent it watches, without making it present; other roles get no ticket', async () => {
    expect((await ticket(await api.loginAs('api'))).status).to.equal(403);
    // W1: an agent user cannot name another agent.
    const other = await api.call('POST', '/api/v2/agents', { name: 'Other', sip_user: 'other@test' });
    const nosy = await AgentSocketClient.refusal(api.url, (await ticket(agent.auth)).body.ticket, `&agent_id=${other.body.id}`);
    expect(nosy.status).to.equal(403);
    expect(nosy.body.error.message).to.equal('agent_id: a user of role agent connects as its own agent only');
    // A supervisor must name one, strictly, and an existing one.
    const operator = await api.loginAs('operator');
    const t = async () => (await ticket(operator)).body.ticket;
    const unnamed = await AgentSocketClient.refusal(api.url, await t());
    expect(unnamed.status).to.equal(400);
    expect(unnamed.body.error).to.include({ code: 'VALIDATION_FAILED', message: 'agent_id: a supervisor names the agent to watch, ?agent_id=<id>' });
    expect((await AgentSocketClient.refusal(api.url, await t(), '&agent_id=01')).status).to.equal(400);
    expect((await AgentSocketClient.refusal(api.url, await t(), '&agent_id=99999')).status).to.equal(404);
    // The live boards' ticket stands for the same login: an admin watches an agent with it.
    const watched = await api.call('POST', '/api/v2/agents', { name: 'Watched', sip_user: 'watched@test' });
    await api.call('POST', '/api/v2/users', { username: 'watched', password: 'watched-password-1', role: 'agent', agent_id: watched.body.id });
    const live = await api.call('POST', '/api/v2/live/ticket');
    const watching = await AgentSocketClient.connect(api.url, live.body.ticket, `&agent_id=${watched.body.id}`);
    clients.push(watching);
    expect((await watching.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined))).value.state.agent.id).to.equal(watched.body.id);
    expect(await presence.present()).to.not.include(watched.body.id);
    // The agent's own client makes it present.
    const own = await AgentSocketClient.open(api.url, await httpClient(api.url).login('watched', 'watched-password-1'));
    clients.push(own);
    await own.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined));
    expect(await presence.present()).to.include(watched.body.id);
    const plain = await api.call('GET', '/api/v2/agent/socket');
    expect(plain.status).to.equal(426);
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).body;
    expect(doc.paths['/api/v2/agent/socket/ticket'].post['x-roles']).to.deep.equal(['agent', 'admin', 'operator']);
    expect(doc.paths['/api/v2/agent/socket'].get.responses).to.include.keys('101', '401', '403', '426');
  });

  it('W4: each bad message gets an error reply naming the field, and the connection stays open for the next command', async () => {
    const c = await AgentSocketClient.open(api.url, agent.auth);
    clients.push(c);
    await c.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined));
    const replies: any[] = [];
    const reply = async (raw: unknown) => {
      const from = c.messages.length;
      c.send(raw);
      const r = (await c.waitFor('a reply', (m) => (m.type === 'reply' ? m : undefined), from)).value;
      replies.push(r);
      return r;
    };
    const notJson = await reply('{"v":1,');
    expect(notJson).to.deep.include({ v: 1, ok: false, status: 400, id: null });
    expect(notJson.error).to.include({ code: 'BAD_JSON', message: 'message is not valid JSON' });
    const badVersion = await reply({ v: 2, type: 'status', id: 'a1', data: { status: 'Available' } });
    expect(badVersion).to.deep.include({ id: 'a1', ok: false, status: 400 });
    expect(badVersion.error.details.issues[0].path).to.equal('v');
    expect(badVersion.error.message).to.equal('v: must be 1, the protocol version this server speaks');
    const noId = await reply({ v: 1, type: 'status', data: { status: 'Available' } });
    expect(noId.error.details.issues[0].path).to.equal('id');
    const unknown = await reply({ v: 1, type: 'dial', id: 'a2' });
    expect(unknown).to.deep.include({ id: 'a2', ok: false });
    expect(unknown.error.message).to.equal('type: unknown command "dial"; one of status, result, hangup, end_wrap_up, preview_accept, preview_skip, snapshot');
    const badStatus = await reply({ v: 1, type: 'status', id: 'a3', data: { status: 'Asleep' } });
    expect(badStatus.error.details.issues[0].path).to.equal('data.status');
    const badReason = await reply({ v: 1, type: 'status', id: 'a4', data: { status: 'Available', reason: 'lunch' } });
    expect(badReason.error.message).to.equal('data.reason: a reason goes with status On Break only');
    const badResult = await reply({ v: 1, type: 'result', id: 'a5', data: { success: 'yes' } });
    expect(badResult.error.details.issues[0].path).to.equal('data.success');
    // Refusals of the use case are the REST route's: no call to post a result for, not in wrap-up.
    const noCall = await reply({ v: 1, type: 'result', id: 'a6', data: { success: true } });
    expect(noCall).to.deep.include({ ok: false, status: 409 });
    expect(noCall.error.message).to.equal(`agent ${agent.id} has had no call to post a result for`);
    expect((await reply({ v: 1, type: 'end_wrap_up', id: 'a7' })).status).to.equal(409);
    expect((await reply({ v: 1, type: 'hangup', id: 'a8' })).error.message).to.equal(`agent ${agent.id} is not on a call`);
    for (const r of replies) expect(r.error.code, JSON.stringify(r)).to.be.oneOf(['BAD_JSON', 'VALIDATION_FAILED', 'CONFLICT']);
    expect(c.closed).to.equal(null);

    // Still open: a good command works, answered like PUT /api/v2/agent/status, and the change comes as an event.
    const ok = await c.command('status', { status: 'On Break', reason: 'lunch' });
    expect(ok).to.deep.include({ ok: true });
    expect(ok.data).to.include({ id: agent.id, status: 'On Break', break_reason: 'lunch' });
    const ev = await c.event('agent');
    expect(ev.value.event).to.include({ status: 'On Break', break_reason: 'lunch' });
  });

  it('S5, W4: commands are answered in the order sent; a burst beyond the bound is refused with 429, not queued', async () => {
    const c = await AgentSocketClient.open(api.url, agent.auth);
    clients.push(c);
    const from = c.messages.length;
    for (let i = 0; i < 60; i++) c.send({ v: 1, type: 'status', id: `b${i}`, data: { status: i % 2 ? 'Available' : 'On Break' } });
    await c.waitFor('the last reply', (m) => (m.type === 'reply' && m.id === 'b59' ? m : undefined), from);
    await c.waitFor('every reply', () => (c.messages.filter((m) => m.type === 'reply' && /^b/.test(m.id)).length === 60 ? true : undefined), from);
    const replies = c.messages.filter((m) => m.type === 'reply' && /^b/.test(m.id));
    for (const r of replies) {
      if (!r.ok) expect(r, JSON.stringify(r)).to.deep.include({ status: 429 });
    }
    // The ones run are answered in the order sent.
    const run = replies.filter((r) => r.ok).map((r) => Number(r.id.slice(1)));
    expect(run).to.deep.equal([...run].sort((a, b) => a - b));
    expect(run.length).to.be.at.least(32);
    expect(c.closed).to.equal(null);
  });

  it('S5: a message over 64 KiB closes that connection (1009) without reading it', async () => {
    const c = await AgentSocketClient.open(api.url, agent.auth);
    clients.push(c);
    await c.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined));
    c.send({ v: 1, type: 'status', id: 'big', data: { status: 'On Break', reason: 'x'.repeat(70_000) } });
    await c.waitFor('the close', () => undefined).catch(() => undefined);
    expect(c.closed?.code).to.equal(1009);
  });

  it('W4: a logout ends the connection at its next command', async () => {
    const auth = await httpClient(api.url).login('sock', 'sock-password-1');
    const c = await AgentSocketClient.open(api.url, auth);
    clients.push(c);
    await c.waitFor('the snapshot', (m) => (m.type === 'snapshot' ? m : undefined));
    expect((await api.call('POST', '/logout', undefined, auth)).status).to.be.oneOf([200, 204]);
    c.send({ v: 1, type: 'status', id: 'z', data: { status: 'Available' } });
    const end = await c.waitFor('the end', (m) => (m.type === 'end' ? m : undefined));
    expect(end.value.reason).to.be.a('string');
    await c.waitFor('the close', () => (c.closed ? true : undefined), end.index).catch(() => undefined);
    expect(c.closed?.code).to.equal(4401);
  });
});
