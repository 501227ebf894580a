import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { loadConfig } from '../../src/config.js';
import { dropDatabase, openDatabase, openMigratedDatabase } from '../../src/adapters/mysql/database.js';
import { DirectSql } from '../../src/adapters/mysql/direct-sql.js';

const SERVER = process.env.DIALER_TEST_DB_SERVER ?? 'mysql://root@127.0.0.1:3306';

/** Issue 14: DIALER_DB_URL's socketPath, a deployment choice for a MariaDB on the engine's machine. */
describe('issue 14: the database by its Unix socket (DIALER_DB_URL ?socketPath=)', function () {
  this.timeout(120_000);
  let url = '';
  let db: Knex | undefined;
  before(async function () {
    const tcp = openDatabase(`${SERVER}/mysql`, 1);
    const socket = ((await tcp.raw('SELECT @@socket AS s'))[0][0] as { s: string | null }).s;
    await tcp.destroy();
    // A server on another machine has no socket here: nothing to test.
    if (!socket || !existsSync(socket)) this.skip();
    const user = new URL(SERVER).username;
    url = `mysql://${user}@localhost/dialer_t_socket_${randomBytes(4).toString('hex')}?socketPath=${encodeURIComponent(socket)}`;
  });
  after(async () => {
    await db?.destroy();
    if (url) await dropDatabase(url);
  });

  it('the database is created, migrated and written by the socket, by the query builder and by the hot path\'s statements', async () => {
    const cfg = loadConfig({ DIALER_DB_URL: url });
    db = await openMigratedDatabase(cfg.dbUrl, 2);
    // A connection by the socket shows its host as `localhost`, one by TCP as `address:port`.
    expect((await db.raw('SELECT HOST AS h FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()'))[0][0].h).to.equal('localhost');
    const sql = new DirectSql(db);
    const host = await sql.run<{ h: string }[]>('SELECT HOST AS h FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()');
    expect(host[0]!.h).to.equal('localhost');
    const written = await sql.transaction((s) => s<{ insertId: number }>('INSERT INTO dnc (campaign_id, number, created_at) VALUES (NULL, ?, ?)', ['15550001', new Date()]));
    expect(await db('dnc').where('id', written.insertId).first('number')).to.deep.equal({ number: '15550001' });
  });
});
