/**
 * Shared set-up of the engine benches: a scratch database, members made server-side (MariaDB's
 * SEQUENCE engine, so a million rows take seconds, not the bench's time), quantiles, a child
 * process for the simulator or the engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import { dropDatabase, openMigratedDatabase } from '../src/adapters/mysql/database.js';

export const SERVER = process.env.DIALER_TEST_DB_SERVER ?? 'mysql://root@127.0.0.1:3306';
const ALL_WEEK = JSON.stringify([0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start: '00:00', end: '24:00' })));

export async function scratchDb(label: string): Promise<{ url: string; db: Knex; drop: () => Promise<void> }> {
  const url = `${SERVER}/dialer_bench_${label}_${randomBytes(3).toString('hex')}`;
  const db = await openMigratedDatabase(url);
  return { url, db, drop: async () => { await db.destroy(); await dropDatabase(url); } };
}

export async function campaign(db: Knex, o: { limit?: number; state?: string; lineGroupId?: number | null } = {}): Promise<number> {
  const [cal] = await db('calendars').insert({ name: `cal-${randomBytes(3).toString('hex')}`, timezone: 'UTC', windows: ALL_WEEK, holidays: '[]' });
  const [id] = await db('campaigns').insert({
    name: `bench-${randomBytes(3).toString('hex')}`, calendar_id: cal, priority: 0, call_limit: o.limit ?? 100_000,
    retry_wait_sec: 1, max_tries: 1000, min_success_sec: 0, wait_result: false, wrapup_sec: 0, variables: '{}', causes: '{}',
    line_group_id: o.lineGroupId ?? null, state: o.state ?? 'stopped',
  });
  return id!;
}

/** n ready members with one number each, made by the server in chunks. */
export async function members(db: Knex, campaignId: number, n: number): Promise<void> {
  const CHUNK = 200_000;
  for (let from = 1; from <= n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK - 1);
    await db.raw(`INSERT INTO members (campaign_id, name, priority, variables, ready_at)
      SELECT ?, CONCAT('m', seq), 0, '{}', '2020-01-01' FROM seq_${from}_to_${to}`, [campaignId]);
  }
  await db.raw(`INSERT INTO communications (member_id, campaign_id, number, position)
    SELECT id, campaign_id, CONCAT('9', LPAD(campaign_id, 3, '0'), LPAD(id, 9, '0')), 0 FROM members WHERE campaign_id = ?`, [campaignId]);
}

/** Agents Available + Waiting, in the campaigns' tiers, registered on `node` when given. */
export async function agents(db: Knex, firstExt: number, n: number, campaignIds: number[], node: string | null): Promise<{ id: number; sipUser: string }[]> {
  const rows = Array.from({ length: n }, (_, i) => ({
    name: `agent ${firstExt + i}`, sip_user: `${firstExt + i}@127.0.0.1`, status: 'Available', state: 'Waiting',
    call_timeout: 10, wrapup_sec: 0, max_no_answer: 1000, busy_delay_sec: 0, reject_delay_sec: 0, no_answer_delay_sec: 0,
    ready_at: new Date(0), idle_since: new Date(0),
  }));
  for (let i = 0; i < rows.length; i += 500) await db('agents').insert(rows.slice(i, i + 500));
  const out = (await db('agents').whereIn('sip_user', rows.map((r) => r.sip_user)).select('id', 'sip_user'))
    .map((r) => ({ id: r.id as number, sipUser: r.sip_user as string }));
  const tiers = out.flatMap((a) => campaignIds.map((c) => ({ campaign_id: c, agent_id: a.id, level: 1 })));
  for (let i = 0; i < tiers.length; i += 1000) await db('tiers').insert(tiers.slice(i, i + 1000));
  if (node) {
    const regs = out.map((a) => ({ sip_user: a.sipUser, node, contact: 'sip:bench', updated_at: new Date() }));
    for (let i = 0; i < regs.length; i += 1000) await db('registrations').insert(regs.slice(i, i + 1000));
  }
  return out;
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TypeScript entry point of this repo as its own node process (tsx loader, no tsx CLI grandchild). */
export function spawnTs(file: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', file, ...args], {
    cwd: new URL('..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
}

/** Resolves when a line of the child's stdout matches. */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`no line ${re} in time`)), timeoutMs);
    const on = (c: Buffer) => {
      buf += c.toString('utf8');
      const m = re.exec(buf);
      if (m) { clearTimeout(t); child.stdout!.off('data', on); resolve(m); }
      if (buf.length > 100_000) buf = buf.slice(-10_000);
    };
    child.stdout!.on('data', on);
    child.once('exit', () => { clearTimeout(t); reject(new Error(`child exited before ${re}`)); });
  });
}

/** Resident set size of a process, MB (current and peak), from /proc. */
export function rssOf(pid: number): { rssMb: number; hwmMb: number; fileMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, fileMb: kb('RssFile') / 1024 };
}

/** CPU seconds (user + system) a process has used so far, from /proc; null when it is not readable. */
export function cpuSecondsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** The pid of the local MariaDB server, or null (a remote database is not measured). */
export function mariadbPid(): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'mariadbd') return Number(d);
    } catch { /* gone meanwhile */ }
  }
  return null;
}

/** The V8 flags `npm start` runs the server with (package.json), so a bench measures the same process. */
export function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((a) => /^--max-[a-z-]+=\d+$/.test(a));
}
