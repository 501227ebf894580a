import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { addMembers, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';
import { startStack, until, type Stack } from '../helpers/stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run import` as its own process, on the stack's database and Redis prefix. */
function importCli(s: Stack, campaignId: number, file: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', '--campaign', String(campaignId), '--skip-header', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DIALER_DB_URL: s.cfg.dbUrl, DIALER_REDIS_URL: s.cfg.redisUrl as string,
        DIALER_QUEUE_PREFIX: s.cfg.queuePrefix, DIALER_TOKEN_SECRET: 'cli-secret-0123456789abcdef' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/*
 * DESIGN §1a: what another process changes reaches the engine as dispatch news. Here the engine
 * has no other way to notice: its housekeeping beat and its safety sweep are an hour apart.
 */
describe('engine end to end: news from other processes', function () {
  this.timeout(120_000);
  let s: Stack;
  before(async () => {
    s = await startStack('engine_news', { leaseSec: 3600, sweepMs: 3_600_000 });
  });
  after(async () => { await s?.close(); });

  it('M6, DESIGN 1a: members imported by the CLI (from a .gz file) into a running campaign are dialled on its news alone', async () => {
    const c = await createCampaign(s, { limit: 10 });
    // One long call keeps the campaign running (it would finish with nothing left to dial).
    const talking = number();
    s.sim.setSubscriber(talking, { outcome: 'answer', afterMs: 20, talkMs: 600_000 });
    await addMembers(s, c, [{ name: 'long call', communications: [{ number: talking }] }]);
    await createAgents(s, 2, [c]);
    await run(s, c);
    const long: { node: string; member_uuid: string } = await until('the long call is live',
      () => s.tdb.db('attempts').where({ campaign_id: c, state: 'talking' }).first('node', 'member_uuid'), 20_000);

    const fresh = [number(), number()];
    for (const n of fresh) s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 50 });
    // Gzipped: the CLI inflates a .gz file as it reads it.
    const file = join(tmpdir(), `engine-news-${process.pid}.csv.gz`);
    writeFileSync(file, gzipSync(`name,number\nfirst,${fresh[0]}\nsecond,${fresh[1]}\n`));
    const cli = await importCli(s, c, `${file}`);
    expect(cli.code, cli.out).to.equal(0);

    const dialled = () => s.tdb.db('attempts').where('campaign_id', c).whereIn('number', fresh).where('state', 'done').count({ n: '*' }).first();
    await until('both imported members dialled', async () => Number((await dialled())?.n) === 2, 30_000);
    await s.telephony.kill(long.node, long.member_uuid, 'NORMAL_CLEARING');
  });
});
