// Q1, S2: `npm run export` as its own process: the file it writes and its exit codes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const ROOT = new URL('../../', import.meta.url).pathname;
// Starting tsx on a loaded 2-core machine takes seconds; past this the process is killed and the test fails.
const DEADLINE_MS = 60_000;

describe('npm run export (Q1, S2)', function () {
  this.timeout(2 * DEADLINE_MS);
  let tdb: TestDatabase;
  let dir: string;
  let campaignId: number;

  before(async () => {
    tdb = await createTestDatabase('export_cli');
    dir = await mkdtemp(join(tmpdir(), 'export-cli-'));
    const seed = seeder(tdb.db);
    campaignId = await seed.campaign();
    const [m] = await seed.members(campaignId, 1);
    await tdb.db('members').where('id', m).update({ name: 'Шевченко; "Т"' });
    await tdb.db('attempts').insert([1, 2, 3].map((i) => ({ campaign_id: campaignId, member_id: m, communication_id: 1, number: '100',
      state: 'done', outcome: 'retry', created_at: new Date(`2026-12-01T0${i}:00:00Z`) })));
  });
  after(async () => {
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function exportCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/export.ts', ...args], {
        cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, DIALER_DB_URL: tdb.url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('Q1: writes a campaign\'s attempts to --output as CSV with ; and exits 0', async () => {
    const file = join(dir, 'a.csv');
    const r = await exportCli(['--campaign', String(campaignId), '--separator', ';', '--from', '2026-12-01T02:00:00Z', '--output', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.contain('2 attempts written');
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('sep=;\r\n')).to.equal(true);
    const rows = parse(text.slice(7), { columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(rows.map((x) => [x.member_name, x.created_at])).to.deep.equal([
      ['Шевченко; "Т"', '2026-12-01T02:00:00.000Z'], ['Шевченко; "Т"', '2026-12-01T03:00:00.000Z']]);
  });

  it('Q1: every campaign in a range as NDJSON on stdout', async () => {
    const r = await exportCli(['--format', 'ndjson', '--from', '2026-12-01T00:00:00Z', '--to', '2026-12-01T02:00:00Z']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).created_at)).to.deep.equal(['2026-12-01T01:00:00.000Z']);
  });

  it('S2: a bad option, a missing range or an unknown campaign exits 1 naming the problem, and writes no file', async () => {
    const file = join(dir, 'b.csv');
    let r = await exportCli(['--campaign', String(campaignId), '--from', 'monday', '--output', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('--from:');
    r = await exportCli(['--to', '2026-12-02T00:00:00Z']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('--from:');
    r = await exportCli(['--campaign', '999999', '--output', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('campaign 999999 not found');
    expect(existsSync(file)).to.equal(false);
  });
});
