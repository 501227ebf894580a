import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { freePorts } from '../../src/adapters/free-port.js';
import { EngineProcess } from '../helpers/engine-process.js';
import { httpClient } from '../helpers/http-client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('first start (S1, issue 11 item 9)', function () {
  this.timeout(90_000);
  let tdb: TestDatabase | undefined;
  let engine: EngineProcess | undefined;

  after(async () => {
    await engine?.stop();
    await tdb?.drop();
  });

  it('S1: a login at the first moment the REST port answers succeeds (the first admin exists before listening)', async () => {
    tdb = await createTestDatabase('first_start');
    // No FreeSWITCH on simPort: the engine's start waits for it, which must not delay the first admin.
    const [simPort, outboundPort] = await freePorts(2);
    engine = await EngineProcess.start({
      dbUrl: tdb.url, simPort: simPort!, outboundPort: outboundPort!,
      queuePrefix: `{dialer-fs-${randomBytes(4).toString('hex')}}`, instanceId: 'first-start',
    });
    const out = await httpClient(`http://127.0.0.1:${engine.httpPort}`).send(
      'POST', '/login', JSON.stringify({ username: 'admin', password: 'fault-admin-password' }), 'application/json', null);
    expect(out.status, JSON.stringify(out.body)).to.equal(200);
    expect(out.body.role).to.equal('admin');
  });
});
