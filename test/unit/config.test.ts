import { expect } from 'chai';
import { loadConfig, loadDemoConfig, loadSimulatorConfig, ConfigError } from '../../src/config.js';

describe('config', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.dbUrl).to.equal('mysql://root@127.0.0.1:3306/dialer');
    expect(c.redisUrl).to.equal('redis://127.0.0.1:6379');
    expect(c.http.port).to.equal(8080);
    expect(c.freeswitch).to.deep.equal([{ name: '127.0.0.1:8021', host: '127.0.0.1', port: 8021, password: 'ClueCon' }]);
    expect(c.outbound.listen).to.equal('127.0.0.1:8084');
    expect(c.leaseSec).to.equal(30);
    expect(c.drainSec).to.equal(20);
  });

  it('S5: DIALER_MAX_IMPORT_BYTES: 128 MiB by default (a million members of the bench are 45 MB), set in bytes', () => {
    expect(loadConfig({}).http.maxImportBytes).to.equal(128 * 1024 * 1024);
    expect(loadConfig({ DIALER_MAX_IMPORT_BYTES: '1048576' }).http.maxImportBytes).to.equal(1048576);
    expect(() => loadConfig({ DIALER_MAX_IMPORT_BYTES: '1e9x' })).to.throw(ConfigError, /DIALER_MAX_IMPORT_BYTES/);
  });

  it('S4: DIALER_DRAIN_SEC=0 is the documented fast mode (exit at once on SIGTERM)', () => {
    expect(loadConfig({ DIALER_DRAIN_SEC: '0' }).drainSec).to.equal(0);
  });

  it('F3: reads several FreeSWITCH servers', () => {
    const c = loadConfig({ DIALER_FREESWITCH: 'fs1:8021:pw1,fs2:8022:p:w' });
    expect(c.freeswitch.map((n) => n.name)).to.deep.equal(['fs1:8021', 'fs2:8022']);
    expect(c.freeswitch[1]!.password).to.equal('p:w');
  });

  it('DESIGN §1a: a Sentinel group or a Redis Cluster replaces the single Redis URL', () => {
    expect(loadConfig({ DIALER_REDIS_SENTINELS: 'r1:26379, r2:26379', DIALER_REDIS_SENTINEL_NAME: 'dialer', DIALER_REDIS_PASSWORD: 'pw' }).redisUrl)
      .to.deep.equal({ sentinels: [{ host: 'r1', port: 26379 }, { host: 'r2', port: 26379 }], name: 'dialer', password: 'pw', sentinelPassword: undefined });
    expect(loadConfig({ DIALER_REDIS_CLUSTER: 'c1:6379,c2:6379' }).redisUrl)
      .to.deep.equal({ cluster: [{ host: 'c1', port: 6379 }, { host: 'c2', port: 6379 }], password: undefined });
  });

  it('DESIGN §1a: a Cluster needs a {hash tag} in the prefix; a bad node list or both topologies at once are refused by name', () => {
    expect(() => loadConfig({ DIALER_REDIS_CLUSTER: 'c1:6379', DIALER_QUEUE_PREFIX: 'dialer' })).to.throw(ConfigError, /DIALER_QUEUE_PREFIX: must contain a \{hash tag\}/);
    expect(() => loadConfig({ DIALER_REDIS_CLUSTER: 'c1' })).to.throw(ConfigError, /DIALER_REDIS_CLUSTER: "c1" is not host:port/);
    expect(() => loadConfig({ DIALER_REDIS_SENTINELS: ' , ' })).to.throw(ConfigError, /DIALER_REDIS_SENTINELS: at least one host:port/);
    expect(() => loadConfig({ DIALER_REDIS_SENTINELS: 's:1', DIALER_REDIS_CLUSTER: 'c:1' })).to.throw(ConfigError, /DIALER_REDIS_CLUSTER: cannot be set together/);
  });

  it('DESIGN §1a: a list of database hosts tried in order, and a replica URL; a bad one is refused by name', () => {
    const c = loadConfig({ DIALER_DB_URL: 'mysql://dialer:pw@db1:3306/dialer', DIALER_DB_HOSTS: 'g1:3306, g2:3307,g3:3306', DIALER_DB_REPLICA_URL: 'mysql://reader:pw@r1:3306/dialer' });
    expect(c.dbHosts).to.deep.equal([{ host: 'g1', port: 3306 }, { host: 'g2', port: 3307 }, { host: 'g3', port: 3306 }]);
    expect(c.dbReplicaUrl).to.equal('mysql://reader:pw@r1:3306/dialer');
    const plain = loadConfig({});
    expect([plain.dbHosts, plain.dbReplicaUrl]).to.deep.equal([undefined, undefined]);
    expect(() => loadConfig({ DIALER_DB_HOSTS: 'g1:3306,g2' })).to.throw(ConfigError, /DIALER_DB_HOSTS: "g2" is not host:port/);
    expect(() => loadConfig({ DIALER_DB_REPLICA_URL: 'replica' })).to.throw(ConfigError, /DIALER_DB_REPLICA_URL/);
  });

  it('issue 14: the database by its Unix socket (socketPath, an absolute path); no other URL parameter, no host list beside it', () => {
    const url = 'mysql://dialer:pw@localhost/dialer?socketPath=/run/mysqld/mysqld.sock';
    expect(loadConfig({ DIALER_DB_URL: url }).dbUrl).to.equal(url);
    expect(() => loadConfig({ DIALER_DB_URL: 'mysql://root@localhost/dialer?socketPath=mysqld.sock' }))
      .to.throw(ConfigError, /DIALER_DB_URL: socketPath must be an absolute path/);
    expect(() => loadConfig({ DIALER_DB_URL: 'mysql://root@db1:3306/dialer?ssl=true' }))
      .to.throw(ConfigError, /DIALER_DB_URL: "ssl" is not a parameter read here/);
    expect(() => loadConfig({ DIALER_DB_REPLICA_URL: 'mysql://r@db2/dialer?multipleStatements=true' })).to.throw(ConfigError, /DIALER_DB_REPLICA_URL/);
    expect(() => loadConfig({ DIALER_DB_URL: url, DIALER_DB_HOSTS: 'g1:3306' })).to.throw(ConfigError, /DIALER_DB_HOSTS: cannot be set together/);
  });

  it('fails with the names of the bad fields', () => {
    expect(() => loadConfig({ DIALER_HTTP_PORT: 'x', DIALER_FREESWITCH: 'nohost', DIALER_DRAIN_SEC: '-1' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/DIALER_HTTP_PORT/)
      .and.matches(/DIALER_FREESWITCH/)
      .and.matches(/DIALER_DRAIN_SEC/);
  });

  it('DESIGN §7: layers: a default yields to the environment, an override wins over it', () => {
    const layers = { defaults: { DIALER_HTTP_PORT: '0' }, overrides: { DIALER_QUEUE_PREFIX: '{demo}' } };
    expect(loadConfig({}, layers).http.port).to.equal(0);
    const c = loadConfig({ DIALER_HTTP_PORT: '9090', DIALER_QUEUE_PREFIX: '{mine}' }, layers);
    expect(c.http.port).to.equal(9090);
    expect(c.queuePrefix).to.equal('{demo}');
    expect(() => loadConfig({ DIALER_HTTP_PORT: 'x' }, layers)).to.throw(ConfigError, /DIALER_HTTP_PORT/);
  });

  it('DESIGN §7: the demo\'s settings are read here, with defaults, and checked', () => {
    expect(loadDemoConfig({})).to.deep.equal({ members: 2000, agents: 20, deadlineSec: 600, logLevel: 'warn' });
    expect(loadDemoConfig({ DEMO_MEMBERS: '500', DEMO_AGENTS: '8', DEMO_DEADLINE_SEC: '120', DEMO_LOG: 'info' }))
      .to.deep.equal({ members: 500, agents: 8, deadlineSec: 120, logLevel: 'info' });
    expect(() => loadDemoConfig({ DEMO_MEMBERS: 'lots', DEMO_AGENTS: '2', DEMO_LOG: 'loud' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/DEMO_MEMBERS/)
      .and.matches(/DEMO_AGENTS/)
      .and.matches(/DEMO_LOG/);
  });

  it('DESIGN §7: the simulator\'s log level is read here and checked', () => {
    expect(loadSimulatorConfig({})).to.deep.equal({ logLevel: 'info' });
    expect(loadSimulatorConfig({ LOG_LEVEL: 'debug' })).to.deep.equal({ logLevel: 'debug' });
    expect(() => loadSimulatorConfig({ LOG_LEVEL: 'chatty' })).to.throw(ConfigError, /LOG_LEVEL/);
  });
});
