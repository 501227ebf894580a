import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../src/config.js';

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

  it('F3: reads several FreeSWITCH servers', () => {
    const c = loadConfig({ DIALER_FREESWITCH: 'fs1:8021:pw1,fs2:8022:p:w' });
    expect(c.freeswitch.map((n) => n.name)).to.deep.equal(['fs1:8021', 'fs2:8022']);
    expect(c.freeswitch[1]!.password).to.equal('p:w');
  });

  it('fails with the names of the bad fields', () => {
    expect(() => loadConfig({ DIALER_HTTP_PORT: 'x', DIALER_FREESWITCH: 'nohost', DIALER_DRAIN_SEC: '-1' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/DIALER_HTTP_PORT/)
      .and.matches(/DIALER_FREESWITCH/)
      .and.matches(/DIALER_DRAIN_SEC/);
  });
});
