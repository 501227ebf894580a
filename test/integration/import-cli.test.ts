// M6, S2: `npm run import` as its own process: the exit codes the README gives for a file it refuses,
// a campaign another import is filling and an unknown campaign; each says why on stderr and stores nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { beginMemberImport } from '../../src/adapters/mysql/member-import-session.js';
import { countRows, seedCampaign } from '../helpers/member-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

const ROOT = new URL('../../', import.meta.url).pathname;
// Starting tsx on a loaded 2-core machine takes seconds; past this the process is killed and the test fails.
const DEADLINE_MS = 60_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('npm run import: exit codes (M6, S2)', function () {
  this.timeout(2 * DEADLINE_MS);
  let tdb: TestDatabase;
  let dir: string;

  before(async () => {
    tdb = await createTestDatabase('import_cli');
    dir = await mkdtemp(join(tmpdir(), 'import-cli-'));
  });
  after(async () => {
    await tdb?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The CLI on this file's database; Redis is only used after an import that stored rows. */
  function importCli(args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/import.ts', ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DIALER_DB_URL: tdb.url, DIALER_QUEUE_PREFIX: `{import-cli-${process.pid}}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      const timer = setTimeout(() => {
        stderr += `\n(killed: still running after ${DEADLINE_MS} ms)`;
        child.kill('SIGKILL');
      }, DEADLINE_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  const file = async (name: string, body: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, body);
    return path;
  };
  const stored = async (campaignId: number) => ({
    members: await countRows(tdb.db, 'members', { campaign_id: campaignId }),
    communications: await countRows(tdb.db, 'communications', { campaign_id: campaignId }),
  });

  it('M6/S2: a broken CSV or bytes not in --charset exit 2, naming the line; nothing is stored', async () => {
    const id = await seedCampaign(tdb.db, 'broken');
    // More good rows than one batch before the break: the batch already written is undone too.
    const good = Array.from({ length: 6000 }, (_, i) => `M${i},${7200000000 + i}\n`).join('');
    const broken = await file('broken.csv', `${good}"Cy"x,5551003\nDan,5551004\n`);
    const r = await importCli(['--campaign', String(id), broken]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain('line 6001: unbalanced quotes: a closing quote is followed by a character other than the separator; nothing was imported\n');
    expect(r.stdout).to.equal('');
    expect(await stored(id)).to.deep.equal({ members: 0, communications: 0 });

    // "Іван" in windows-1251: not UTF-8, the default charset.
    const cp1251 = await file('cp1251.csv', Buffer.concat([Buffer.from('Ann,5551011\n'), Buffer.from([0xb2, 0xe2, 0xe0, 0xed]), Buffer.from(',5551012\n')]));
    const c = await importCli(['--campaign', String(id), cp1251]);
    expect(c.code, c.stderr).to.equal(2);
    expect(c.stderr).to.contain("--charset: line 2: bytes that are not valid utf-8; set --charset to the file's charset (nothing was imported)\n");
    expect(await stored(id)).to.deep.equal({ members: 0, communications: 0 });
  });

  it('M6: another import running into the campaign exits 3; nothing is stored', async () => {
    const id = await seedCampaign(tdb.db, 'busy');
    const csv = await file('busy.csv', 'Ann,5551021\nBob,5551022\n');
    // Holds the campaign's import lock as a running import (REST or CLI) does.
    const running = await beginMemberImport(tdb.db, id, new Date());
    if (running.kind !== 'begun') throw new Error('the first import did not begin');
    let r: CliRun;
    try {
      r = await importCli(['--campaign', String(id), csv]);
    } finally {
      await running.session.rollback();
    }
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.contain(`another import into campaign ${id} is running; nothing was imported, run it again when that one has finished\n`);
    expect(r.stdout).to.equal('');
    expect(await stored(id)).to.deep.equal({ members: 0, communications: 0 });
  });

  it('S2: an unknown campaign exits 1 naming it; nothing is stored', async () => {
    const membersBefore = await countRows(tdb.db, 'members', {});
    const commsBefore = await countRows(tdb.db, 'communications', {});
    const csv = await file('unknown.csv', 'Ann,5551031\n');
    const r = await importCli(['--campaign', '999999', csv]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.equal('campaign 999999 not found\n');
    expect(r.stdout).to.equal('');
    expect(await countRows(tdb.db, 'members', {})).to.equal(membersBefore);
    expect(await countRows(tdb.db, 'communications', {})).to.equal(commsBefore);
  });
});
