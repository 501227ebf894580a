// F1: `npm run simulator` as a process: --help, refused options and scenarios (exit 2), and the
// stdin commands that register phones, script them and inject faults, seen over TCP.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { RawOutboundServer } from '../helpers/raw-esl.js';
import { header } from '../helpers/transcript.js';
import { TestEsl, is } from './simulator-esl-client.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A running simulator process, its output split into lines as it comes. */
class Cli {
  readonly out: string[] = [];
  readonly err: string[] = [];
  exitCode: number | null = null;
  readonly #exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    const split = (into: string[]) => {
      let rest = '';
      return (d: Buffer) => {
        const parts = (rest + d.toString()).split('\n');
        rest = parts.pop() ?? '';
        into.push(...parts);
      };
    };
    child.stdout.on('data', split(this.out));
    child.stderr.on('data', split(this.err));
    this.#exited = new Promise((resolve) => child.once('exit', (code) => {
      this.exitCode = code;
      resolve(code);
    }));
  }

  static start(args: string[]): Cli {
    return new Cli(spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', ...args], {
      cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info' },
    }));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async line(stream: 'out' | 'err', match: RegExp, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this[stream].find((l) => match.test(l));
      if (found !== undefined) return found;
      if (Date.now() > end) throw new Error(`no ${stream} line matching ${match} in:\n${this[stream].join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The exit code, or the process is killed at the deadline (and the test fails). */
  async exit(timeoutMs = 15_000): Promise<number | null> {
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.#exited;
    } finally {
      clearTimeout(t);
    }
  }
}

describe('simulator command line', function () {
  this.timeout(60_000);
  const running: Cli[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const c of running.splice(0)) {
      if (c.exitCode === null) c.child.kill('SIGKILL');
      await c.exit();
    }
  });

  const run = async (args: string[]) => {
    const c = Cli.start(args);
    running.push(c);
    const code = await c.exit();
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };

  it('F1: --help prints the options and the stdin commands and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain('usage: npm run simulator').and.contain('--scenario').and.contain('close-outbound <uuid|all>');
  });

  it('F1: an unknown option or a bad value exits 2 naming it', async () => {
    const unknown = await run(['--bogus']);
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.contain('--bogus');
    const port = await run(['--port', 'eighty']);
    expect(port.code).to.equal(2);
    expect(port.err).to.contain('--port');
  });

  it('F1: a scenario with a typo, a bad value or broken JSON exits 2 naming the path', async () => {
    const typo = await run(['--scenario', file('typo.json', JSON.stringify({ agents: { '1000@127.0.0.1': { anwser: 'busy' } } }))]);
    expect(typo.code).to.equal(2);
    expect(typo.err).to.contain('agents["1000@127.0.0.1"].anwser: unknown field');
    const value = await run(['--scenario', file('value.json', JSON.stringify({ subscribers: { 555: { outcome: 'bussy' } } }))]);
    expect(value.code).to.equal(2);
    expect(value.err).to.match(/subscribers\["555"\]\.outcome: expected one of answer, busy/);
    const broken = await run(['--scenario', file('broken.json', '{"agents": ')]);
    expect(broken.code).to.equal(2);
    expect(broken.err).to.contain('not JSON');
  });

  it('F1, A2, F2: stdin commands register phones, script them and inject faults; quit exits 0', async () => {
    const app = new RawOutboundServer();
    const appPort = await app.listen();
    const scenario = file('ok.json', JSON.stringify({ agents: { '1000@127.0.0.1': { afterMs: 10 }, '1001@127.0.0.1': { registered: false } } }));
    const c = Cli.start(['--scenario', scenario, '--port', '0', '--agent-socket', `127.0.0.1:${appPort}`]);
    running.push(c);
    let esl: TestEsl | null = null;
    try {
      const ready = JSON.parse(await c.line('out', /FreeSWITCH simulator ready/)) as { port: number };
      esl = await TestEsl.login(ready.port);

      c.send('register 1001@127.0.0.1');
      const reg = await esl.event((e) => header(e, 'Event-Subclass') === 'sofia::register');
      expect(header(reg, 'username')).to.equal('1001');
      c.send('unregister 1001');
      await esl.event((e) => header(e, 'Event-Subclass') === 'sofia::unregister');
      expect(await esl.api('sofia_contact 1001@127.0.0.1')).to.equal('error/user_not_registered');

      c.send('agent 1000@127.0.0.1 {"answer":"busy","afterMs":10}');
      await c.line('out', /^agent 1000@127\.0\.0\.1 scripted$/);
      expect(await esl.bgapi(`originate {origination_uuid=${U(1)}}user/1000 &park()`)).to.equal('-ERR USER_BUSY\n');
      c.send('agent 1000@127.0.0.1 {"answer":"maybe"}');
      expect(await c.line('err', /^agent 1000@127\.0\.0\.1: answer: expected one of/)).to.be.a('string');

      c.send('agent 1000@127.0.0.1 {"afterMs":10}');
      await c.line('out', /^agent 1000@127\.0\.0\.1 scripted$/);
      esl.raw.send(`bgapi originate {origination_uuid=${U(2)}}user/1000 agent XML dialer-agent\n\n`);
      const o = await app.accept();
      o.send('connect\n\n');
      await o.next();
      c.send('close-outbound all');
      await o.waitClosed();
      expect(header(await esl.event(is('CHANNEL_HANGUP_COMPLETE', U(2))), 'Hangup-Cause')).to.equal('NORMAL_CLEARING');

      c.send('drop-inbound');
      await esl.raw.waitClosed();
      esl = await TestEsl.login(ready.port);
      c.send('restart');
      await c.line('out', /^restarted on port \d+$/);
      await esl.raw.waitClosed();
      esl = await TestEsl.login(ready.port);

      c.send('frobnicate');
      await c.line('err', /unknown command "frobnicate"/);
      c.send('quit');
      expect(await c.exit()).to.equal(0);
    } finally {
      esl?.close();
      await app.close();
    }
  });
});
