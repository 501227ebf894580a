// Text bodies of `status`, `sofia status` and `sofia status profile <p> reg`, laid out
// exactly as FreeSWITCH 1.10.12 prints them (03-api-commands).
import type { SimSwitch } from './sim-switch.js';

const RULE = '='.repeat(97);

export function statusText(sw: SimSwitch): string {
  const up = Math.max(0, Date.now() - sw.startedAtMs);
  const s = Math.floor(up / 1000);
  const total = sw.allChannels.length;
  const live = sw.channels.size;
  return `UP 0 years, ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ${Math.floor(s / 60) % 60} minutes, ${s % 60} seconds, ${up % 1000} milliseconds, 0 microseconds\n` +
    'FreeSWITCH (Version 1.10.12-release  64bit) is ready\n' +
    `${total} session(s) since startup\n` +
    `${live} session(s) - peak ${Math.max(live, total > 0 ? 1 : 0)}, last 5min ${live} \n` +
    `0 session(s) per Sec out of max 30, peak ${total > 0 ? 1 : 0}, last 5min ${total > 0 ? 1 : 0} \n` +
    '200 session(s) max\nmin idle cpu 0.00/99.00\nCurrent Stack Size/Max 240K/8192K\n';
}

export function sofiaStatus(sw: SimSwitch): string {
  const row = (a: string, b: string, c: string, d: string) => `${a.padStart(25)}\t${b.padStart(7)}\t${c.padStart(42)}\t${d}\n`;
  return `${row('Name', 'Type', 'Data', 'State')}${RULE}\n` +
    row(sw.opts.domain, 'alias', sw.opts.profile, 'ALIASED') +
    row(sw.opts.profile, 'profile', 'sip:mod_sofia@127.0.0.1:5060', 'RUNNING (0)') +
    `${RULE}\n1 profile 1 alias\n`;
}

/** One block per registered directory user; the adapter's registration resync reads this (A2). */
export function sofiaStatusReg(sw: SimSwitch): string {
  const users = [...sw.registered].sort();
  const exp = new Date(Date.now() + 3660_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const expStr = `${exp.getFullYear()}-${p(exp.getMonth() + 1)}-${p(exp.getDate())} ${p(exp.getHours())}:${p(exp.getMinutes())}:${p(exp.getSeconds())}`;
  const blocks = users.map((u, i) => {
    const [ext = '', domain = sw.opts.domain] = u.split('@');
    return `Call-ID:    \t${i + 1}-${10000 + i}@127.0.0.1\n` +
      `User:       \t${ext}@${domain}\n` +
      `Contact:    \t"" <sip:${ext}@127.0.0.1:5080>\n` +
      'Agent:      \tSIPp-reg\n' +
      `Status:     \tRegistered(UDP)(unknown) EXP(${expStr}) EXPSECS(3660)\n` +
      'Ping-Status:\tReachable\nPing-Time:\t0.00\n' +
      `Host:       \t${sw.opts.hostname}\nIP:         \t127.0.0.1\nPort:       \t5080\n` +
      `Auth-User:  \t${ext}\nAuth-Realm: \t${domain}\nMWI-Account:\t${ext}@${domain}\n\n`;
  });
  return `\nRegistrations:\n${RULE}\n${blocks.join('')}Total items returned: ${users.length}\n${RULE}\n`;
}
