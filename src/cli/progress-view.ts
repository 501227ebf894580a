/** Live progress of the demo on a terminal: redrawn in place on a TTY, a line now and then otherwise. */

export interface CampaignProgress {
  name: string;
  state: string;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  remaining: number;
  /** The live board's and /stats' "Dialled" (src/domain/campaign-figures.ts). */
  dialled: number;
  live: number;
  limit: number;
}

export interface ProgressFrame {
  elapsedSec: number;
  campaigns: CampaignProgress[];
  /** "state (status)" → count */
  agents: Record<string, number>;
  lineGroup: { name: string; live: number; capacity: number };
}

const WIDTH = 30;

function bar(part: number, total: number): string {
  const filled = total === 0 ? WIDTH : Math.round((part / total) * WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

export function renderFrame(f: ProgressFrame): string[] {
  const lines = [`elapsed ${f.elapsedSec.toFixed(0)}s   line group ${f.lineGroup.name}: ${f.lineGroup.live}/${f.lineGroup.capacity} lines in use`];
  for (const c of f.campaigns) {
    const pct = c.total ? Math.floor((c.done / c.total) * 100) : 100;
    lines.push(`${c.name.padEnd(10)} ${bar(c.done, c.total)} ${pad(pct, 3)}%  ${c.state.padEnd(9)} live ${pad(c.live, 2)}/${c.limit}`);
    lines.push(`           dialled ${pad(c.dialled, 5)}  succeeded ${pad(c.succeeded, 5)}  failed ${pad(c.failed, 5)}  remaining ${pad(c.remaining, 5)}`);
  }
  const agents = Object.entries(f.agents).sort().map(([k, n]) => `${k}: ${n}`).join('  ');
  lines.push(`agents     ${agents}`);
  return lines;
}

export class ProgressView {
  #drawn = 0;
  #lastPlain = 0;
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  draw(f: ProgressFrame): void {
    const lines = renderFrame(f);
    if (this.out.isTTY) {
      if (this.#drawn) this.out.write(`\x1b[${this.#drawn}A`);
      for (const l of lines) this.out.write(`\x1b[2K${l}\n`);
      this.#drawn = lines.length;
    } else if (f.elapsedSec - this.#lastPlain >= 5 || this.#lastPlain === 0) {
      this.#lastPlain = Math.max(f.elapsedSec, 0.001);
      this.out.write(`${lines.join('\n')}\n\n`);
    }
  }
}
