import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { webClient } from '../../src/adapters/http/web-routes.js';
import { MysqlStatusStore } from '../../src/adapters/mysql/result-status-store.js';
import { statusApplier } from '../../src/app/apply-result-status.js';
import { LiveFeed } from '../../src/app/engine/live-feed.js';
import type { EngineSignals } from '../../src/app/ports/engine-signals.js';
import { startTestApi, type TestApi } from './http-api.js';

/*
 * Browser tests drive Debian's Chromium (/usr/bin/chromium, installed by .ci/run) through
 * playwright-core, headless, with a fresh profile per test file.
 */

export const CHROMIUM = process.env.DIALER_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test', 'artifacts');

/** The web client must be built before the server can serve it; rebuilt when a source is newer than the build. */
export function ensureWebBuild(): void {
  const web = join(process.cwd(), 'web');
  const built = join(web, 'dist', 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true })
    .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const sourcesAt = Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs);
  if (builtAt < sourcesAt) execSync('npm run build', { stdio: 'inherit' });
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Full-page PNG under test/artifacts/. */
  shot(name: string): Promise<void>;
  /** A screenshot named `<prefix>-<start of the title>` when `test` failed (for an afterEach); never throws. */
  shotIfFailed(test: Mocha.Test | undefined, prefix: string): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * Keep the back/forward cache that Chromium has by default and playwright turns off
   * (--disable-back-forward-cache): pages left stay alive, with their connections, as for users.
   */
  backForwardCache?: boolean;
}

export async function launchBrowser(o: LaunchOptions = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'dialer-chromium-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    ...(o.backForwardCache ? { ignoreDefaultArgs: ['--disable-back-forward-cache'] } : {}),
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  let closing: Promise<void> | undefined;
  return {
    context,
    page,
    shot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    shotIfFailed: async (test, prefix) => {
      if (test?.state !== 'failed') return;
      await page.screenshot({ path: join(ARTIFACTS, `${prefix}-${test.title.slice(0, 20).replace(/\W+/g, '-')}.png`), fullPage: true })
        .catch(() => undefined);
    },
    close: () => (closing ??= (async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    })()),
  };
}

export interface WebApi {
  api: TestApi;
  /** What the engine would announce on REST changes, so open boards get pushes. */
  feed: LiveFeed;
  /** The wake-up queue the queue dashboard shows. */
  queue: Queue;
  close(): Promise<void>;
}

/**
 * The REST API with the web client's routes (session, push, queue dashboard, static files) on
 * a fresh database, without an engine: REST changes are announced on a live feed as the engine
 * would, and result statuses are applied as the engine applies them (R1).
 */
export async function startWebApi(label: string): Promise<WebApi> {
  const feed = new LiveFeed();
  const signals: EngineSignals = {
    campaignChanged: (id) => feed.campaign(id),
    agentChanged: (id) => feed.agent(id),
    membersAdded: (id) => feed.campaign(id),
    hangUp: () => undefined,
    previewAccepted: () => undefined,
  };
  const queue = new Queue('timers', { connection: { host: '127.0.0.1', port: 6379 }, prefix: `{web-${randomBytes(4).toString('hex')}}` });
  const web = webClient({ feed, queues: [queue] });
  let api: TestApi | undefined;
  try {
    api = await startTestApi(label, {
      signals, extraRouters: web.routers,
      applyResultStatus: async (c, m, s, now) => (await statusApplier(new MysqlStatusStore(api!.tdb.db))(c, m, s, now)).outcome,
    });
  } catch (err) {
    web.close();
    await queue.close();
    throw err;
  }
  const started = api;
  return {
    api: started, feed, queue,
    close: async () => {
      web.close();
      await started.close();
      await queue.close();
    },
  };
}

/** Logs in through the form and waits for the live boards. */
export async function loginThroughForm(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Live boards' }).waitFor();
}
