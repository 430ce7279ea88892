/**
 * The webview pages in a real browser: each page is built from media/ into a temporary folder,
 * served under the real HTML shell (CSP, nonce) with a stand-in for `acquireVsCodeApi`, and driven
 * in headless Chromium. Skipped where /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, renderShell } from '../../client/src/webview/html';
import { TailBuffer } from '../../client/src/tail/tailBuffer';
import { parseWebviewMessage, StatsToExtension, TailToExtension, TimelineToExtension, type MessageSpec, type TailStatus } from '../../client/src/webview/messages';
import { createEvent, type JobEvent, type JobEventInit } from '../../server/src/model/event';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const XSS_IMG = '<img src=x onerror=alert(1)>';
const XSS_SCRIPT = '<script>alert(2)</script>';

/** A job with an attempt every ~23 events, each failure with a traceback, hostile text in errors. */
function bigJob(jobId: string, count: number): JobEvent[] {
  const events: JobEvent[] = [];
  let t = 1_717_000_000.123;
  let seq = 1000;
  const push = (init: JobEventInit) => events.push(createEvent({ ...init, nats_sequence: seq++ }));
  push({ job_id: jobId, event_type: 'enqueued', timestamp: t, queue_name: 'high', message: "Job enqueued to 'high' with priority 1", details: { priority: 1 } });
  for (let attempt = 1; events.length < count; attempt++) {
    t += 0.5;
    const worker = `w-${attempt % 5}`;
    push({ job_id: jobId, event_type: attempt === 1 ? 'started' : 'retry_started', timestamp: t, worker_id: worker, worker_type: 'async' });
    for (let k = 0; k < 20 && events.length < count - 3; k++) {
      t += 0.01;
      push({ job_id: jobId, event_type: 'worker_heartbeat', timestamp: t, worker_id: worker, message: `chunk ${k}`, details: { k, nested: { ok: true } }, tags: { env: 'dev' } });
    }
    t += 1;
    if (events.length >= count - 3) {
      push({ job_id: jobId, event_type: 'completed', timestamp: t, worker_id: worker, duration_ms: 1234.5 });
    } else {
      push({
        job_id: jobId,
        event_type: 'failed',
        timestamp: t,
        worker_id: worker,
        duration_ms: 800,
        error_type: attempt === 2 ? XSS_IMG : 'ValueError',
        error_message: `bad ${XSS_SCRIPT}`,
        details: { traceback: `Traceback (most recent call last):\n  File "job.py", line 7\nValueError: bad ${XSS_IMG}` },
      });
      push({ job_id: jobId, event_type: 'retry_scheduled', timestamp: t + 0.05 });
    }
  }
  return events.slice(0, count);
}

const haveBrowser = existsSync(CHROMIUM);

describe('webview pages in Chromium', { skip: haveBrowser ? false : `no browser at ${CHROMIUM}` }, () => {
  let out: string;
  let server: Server;
  let origin: string;
  let browser: Browser;
  const states = new Map<string, unknown>();

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'naq-webview-'));
    await esbuild.build({
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: ['es2022', 'chrome120'],
      entryPoints: [
        ...readdirSync(join(ROOT, 'media/src')).filter((f) => f.endsWith('.ts')).map((f) => ({ in: join(ROOT, 'media/src', f), out: f.slice(0, -3) })),
        ...readdirSync(join(ROOT, 'media')).filter((f) => f.endsWith('.css') && f !== 'base.css').map((f) => ({ in: join(ROOT, 'media', f), out: f.slice(0, -4) })),
      ],
      outdir: out,
      logLevel: 'silent',
    });
    for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(join(ROOT, 'node_modules/@vscode/codicons/dist', file), join(out, file));

    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/page/')) {
        const view = path.slice('/page/'.length);
        const nonce = makeNonce();
        const shell = renderShell({ cspSource: origin, nonce, title: view, view, scriptUri: `${origin}/media/${view}.js`, styleUris: [`${origin}/media/codicon.css`, `${origin}/media/${view}.css`] });
        const fake = `<script nonce="${nonce}">
          window.__posted = []; window.__violations = []; window.__state = ${JSON.stringify(states.get(view) ?? null)};
          document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
          window.acquireVsCodeApi = () => ({
            postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
            getState: () => window.__state ?? undefined,
            setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
          });
        </script>`;
        res.writeHead(200, { 'content-type': 'text/html' }).end(shell.replace('<script nonce=', `${fake}\n<script nonce=`));
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const file = normalize(join(out, path.replace(/^\/media\//, '')));
      if (!file.startsWith(out) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const type = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' }[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** Opens a page; fails the test on page errors, console errors or CSP violations. */
  async function open(view: string): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const problems: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${origin}/page/${view}`);
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    return { page, problems, dialogs };
  }

  /** Posts a message to the page as the extension would; big payloads go over as one JSON string (fast). */
  async function send(page: Page, data: unknown): Promise<void> {
    await page.evaluate((json) => window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(json) })), JSON.stringify(data));
  }

  async function posted(page: Page, spec: MessageSpec): Promise<{ type: string; body: unknown }[]> {
    const messages = await page.evaluate(() => (window as unknown as { __posted: { type: string; body: unknown }[] }).__posted);
    // Whatever a page sends, the extension's validator accepts.
    for (const message of messages) assert.ok(parseWebviewMessage(spec, message).ok, JSON.stringify(message));
    return messages;
  }

  async function finish(page: Page, problems: string[], dialogs: string[]): Promise<void> {
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(violations, [], 'CSP violations');
    assert.deepEqual(problems, []);
    assert.deepEqual(dialogs, [], 'a dialog opened: event content ran as code');
    await page.close();
  }

  test('timeline: 10,000 events render virtualized, hostile text stays text, keys work, state comes back', async () => {
    const events = bigJob('job-big', 10_000);
    const timeline = { jobId: 'job-big', job: null, events, problems: [{ seq: 7, subject: 'naq.jobs.events.job-big.failed', message: `bad msgpack ${XSS_IMG}` }], source: 'index' };
    const { page, problems, dialogs } = await open('timeline');
    await send(page, { type: 'init', body: { jobId: 'job-big', timeMode: 'local', preview: false } });
    await page.evaluate((json) => ((window as unknown as { __data: unknown }).__data = JSON.parse(json)), JSON.stringify({ type: 'timeline', body: { timeline, olderCount: 0, updatedAt: Date.now() } }));
    // Rendered once two frames have been painted after the message; virtualized: a screenful of rows, not 10,000.
    await page.evaluate(async () => {
      window.dispatchEvent(new MessageEvent('message', { data: (window as unknown as { __data: unknown }).__data }));
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    });
    const rows = await page.locator('.vrow').count();
    assert.ok(rows > 10 && rows < 200, `${rows} rows in the DOM`);

    // Hostile strings are shown, never parsed.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 2); // the stand-in and the page's own
    const text = await page.evaluate(() => document.body.textContent ?? '');
    assert.ok(text.includes(XSS_IMG) && text.includes(XSS_SCRIPT));
    assert.match(await page.locator('.problems').textContent() ?? '', /1 event of this job could not be decoded/);
    assert.match(await page.locator('.vrow').nth(2).textContent() ?? '', /Attempt 1 of \d+/);

    // Keyboard: End reaches the last event, F / Shift+F find failures, Enter expands, C copies.
    const list = page.locator('.timeline-list');
    await list.focus();
    await page.keyboard.press('End');
    const lastId = await list.getAttribute('aria-activedescendant');
    assert.ok(lastId && (await page.locator(`#${lastId}`).getAttribute('aria-posinset')) === (await page.locator(`#${lastId}`).getAttribute('aria-setsize')));
    await page.keyboard.press('Shift+F');
    await page.keyboard.press('Enter');
    const activeId = (await list.getAttribute('aria-activedescendant'))!;
    const active = page.locator(`#${activeId}`);
    assert.equal(await active.getAttribute('aria-expanded'), 'true');
    assert.equal(await active.locator('pre.traceback').count(), 1);
    assert.match(await active.locator('pre.traceback').textContent() ?? '', /ValueError: bad <img/);
    await page.keyboard.press('c');
    const messages = await posted(page, TimelineToExtension);
    const copy = messages.at(-1) as { type: string; body: { index: number; seq: number } };
    assert.equal(copy.type, 'copyEvent');
    assert.equal(events[copy.body.index]!.event_type, 'failed');
    assert.equal(events[copy.body.index]!.nats_sequence, copy.body.seq);

    // Time display toggle; the choice is saved with the position and the expanded event.
    await page.getByRole('button', { name: 'Relative' }).click();
    assert.match(await active.locator('.ev-time').textContent() ?? '', /^\+\d/);
    const saved = (await page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as { timeMode: string; expanded: string[]; active: number };
    assert.equal(saved.timeMode, 'relative');
    assert.deepEqual(saved.expanded, [`s${copy.body.seq}`]);
    await finish(page, problems, dialogs);

    states.set('timeline', saved);
    const again = await open('timeline');
    await send(again.page, { type: 'init', body: { jobId: 'job-big', timeMode: 'local', preview: false } });
    await send(again.page, { type: 'timeline', body: { timeline, olderCount: 0, updatedAt: Date.now() } });
    const restoredList = again.page.locator('.timeline-list');
    assert.equal(await restoredList.getAttribute('aria-activedescendant'), `row-${saved.active}`);
    assert.equal(await again.page.locator('.segmented .selected').textContent(), 'Relative');
    assert.equal(await again.page.locator('.ev.open').count(), 1);
    states.delete('timeline');

    // A live update that only adds events is applied; one out of step asks for everything again.
    const more = bigJob('job-big', 10_010).slice(10_000);
    await send(again.page, { type: 'append', body: { from: 10_000, events: more, rest: { jobId: 'job-big', job: null, problems: [], source: 'index' }, updatedAt: Date.now() } });
    assert.match(await again.page.locator('.facts').textContent() ?? '', /10,010/);
    await send(again.page, { type: 'append', body: { from: 5, events: more, rest: { jobId: 'job-big', job: null, problems: [], source: 'index' }, updatedAt: Date.now() } });
    const resync = await posted(again.page, TimelineToExtension);
    assert.deepEqual(resync.filter((m) => m.type === 'ready').length, 2);
    await finish(again.page, again.problems, again.dialogs);
  });

  test('tail: lines, skipped count, filter, pause with a count, Enter opens the job', async () => {
    const { page, problems, dialogs } = await open('tail');
    const buffer = new TailBuffer(5000);
    const status: TailStatus = { state: 'live', pattern: 'naq.jobs.events.>', params: {}, skipped: 0, reason: null };
    await send(page, { type: 'reset', body: { lines: [], status, cap: 5000 } });
    const events = bigJob('job-tail', 6000);
    for (let i = 0; i < events.length; i += 1000) {
      const lines = buffer.add({ events: events.slice(i, i + 1000), problems: [], skipped: i === 2000 ? 37 : 0 }, 1);
      await send(page, { type: 'lines', body: { lines, skipped: buffer.skipped } });
    }
    assert.equal(await page.locator('.line-count').textContent(), '5,000 lines');
    assert.match(await page.locator('.skipped-note').textContent() ?? '', /37 skipped by the rate limit/);
    assert.equal(await page.locator('.tail-status').textContent(), 'Live: naq.jobs.events.>');
    assert.ok((await page.locator('.vrow').count()) < 200);
    assert.equal(await page.locator('img').count(), 0);

    await page.locator('.filter-input').fill('failed -w-1');
    await page.waitForFunction(() => /of 5,000 lines/.test(document.querySelector('.line-count')?.textContent ?? ''));

    await page.getByRole('button', { name: 'Pause' }).click();
    const later = buffer.add({ events: bigJob('job-later', 12), problems: [], skipped: 0 }, 2);
    await send(page, { type: 'lines', body: { lines: later, skipped: buffer.skipped } });
    assert.match(await page.locator('button[aria-pressed="true"]').textContent() ?? '', /Resume \(12 new\)/);

    await page.locator('.tail-list').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const messages = await posted(page, TailToExtension);
    assert.deepEqual(messages.at(-1), { type: 'openTimeline', body: { jobId: 'job-tail' } });
    const state = (await page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as { filter: string; pausedAt: number | null };
    assert.equal(state.filter, 'failed -w-1');
    assert.ok(state.pausedAt !== null);
    await finish(page, problems, dialogs);
  });

  test('stats: cards and bar charts, names as text, arrow keys move through bars', async () => {
    const { page, problems, dialogs } = await open('stats');
    const workerUsage: Record<string, number> = {};
    for (let i = 0; i < 25; i++) workerUsage[`worker-${i}${i === 1 ? XSS_IMG : ''}`] = 100 - i;
    await send(page, {
      type: 'stats',
      body: { stats: { jobsStarted: 50, jobsRunning: 5, jobsCompleted: 40, jobsFailed: 5, totalDurationMs: 4000, averageDurationMs: 100, workerUsage, queueUsage: { q1: 3, q2: 1 }, eventsSeen: 500 }, updatedAt: Date.now() },
    });
    assert.equal(await page.locator('.bar-row').count(), 22); // the top 20 workers and 2 queues
    assert.equal(await page.locator('img').count(), 0);
    assert.match(await page.locator('.cards').textContent() ?? '', /Failure rate/);
    await page.locator('.bar-row').first().focus();
    await page.keyboard.press('ArrowDown');
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', new RegExp(`^worker-1${XSS_IMG.replace(/[()]/g, '\\$&')}: 99 started`));
    await page.getByRole('button', { name: 'Show all 25' }).click();
    assert.equal(await page.locator('.bar-row').count(), 27);
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    assert.equal((await posted(page, StatsToExtension)).at(-1)?.type, 'refresh');
    await finish(page, problems, dialogs);
  });
});
