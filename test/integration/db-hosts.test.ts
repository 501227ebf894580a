import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { dropDatabase, openDatabase } from '../../src/adapters/mysql/database.js';
import { WriterHosts } from '../../src/adapters/mysql/writer-hosts.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
// Nothing listens on port 1: a host that is down.
const DOWN = { host: '127.0.0.1', port: 1 };
const UP = { host: '127.0.0.1', port: 3306 };

/** DESIGN §1a: the host list on a plain MariaDB (the Galera cluster's tests are in test/ha). */
describe('DESIGN §1a: database hosts tried in order (DIALER_DB_HOSTS)', function () {
  this.timeout(120_000);
  const name = `dialer_t_hosts_${randomBytes(4).toString('hex')}`;
  after(async () => {
    await dropDatabase(`mysql://root@127.0.0.1:3306/${name}`);
  });

  it('the first host that answers is the writer; a pool on it writes there', async () => {
    const writer = new WriterHosts({ hosts: [DOWN, UP], credentials: { user: 'root' } });
    await writer.start(5_000);
    const db = openDatabase('mysql://root@127.0.0.1:1/mysql', 2, writer);
    try {
      expect(writer.current).to.deep.equal(UP);
      expect((await db.raw('SELECT @@port AS port'))[0][0].port).to.equal(3306);
    } finally {
      writer.close();
      await db.destroy();
    }
  });

  it('no host answering: the start fails naming them', async () => {
    const writer = new WriterHosts({ hosts: [DOWN], credentials: { user: 'root' } });
    let err: Error | undefined;
    await writer.start(600).catch((e: Error) => { err = e; });
    expect(err?.message).to.equal('no database host ready among 127.0.0.1:1');
  });

  it('npm run migrate goes to the first host that answers', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/migrate.ts'], {
      cwd: ROOT, timeout: 90_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DIALER_DB_URL: `mysql://root@127.0.0.1:1/${name}`, DIALER_DB_HOSTS: '127.0.0.1:1,127.0.0.1:3306' },
    });
    expect(stdout).to.match(/^applied: /);
  });
});
