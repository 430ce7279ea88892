/**
 * The webview pages in a real browser (test/support/webviewPages.ts: built from media/, served under
 * the real HTML shell with CSP and nonce, a stand-in for `acquireVsCodeApi`), driven in headless
 * Chromium. Skipped where /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TailBuffer } from '../../client/src/tail/tailBuffer';
import { parseWebviewMessage, StatsToExtension, TailToExtension, TimelineToExtension, type MessageSpec, type TailStatus } from '../../client/src/webview/messages';
import { createEvent, type JobEvent, type JobEventInit } from '../../server/src/model/event';
import { WebviewPages } from '../support/webviewPages';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
  let pages: WebviewPages;
  let browser: Browser;

  before(async () => {
    pages = await WebviewPages.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await pages?.close();
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
    await page.goto(pages.url(view));
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

  /** A live tail page holding at most `cap` lines, shown the first `shown` of `count` events of job `jobId`. */
  async function tailOf(cap: number, jobId: string, count: number, shown: number): Promise<{ page: Page; problems: string[]; dialogs: string[]; buffer: TailBuffer; events: JobEvent[] }> {
    const opened = await open('tail');
    const buffer = new TailBuffer(cap);
    const status: TailStatus = { state: 'live', pattern: 'naq.jobs.events.>', params: {}, skipped: 0, reason: null };
    await send(opened.page, { type: 'reset', body: { lines: [], status, cap } });
    const events = bigJob(jobId, count);
    await send(opened.page, { type: 'lines', body: { lines: buffer.add({ events: events.slice(0, shown), problems: [], skipped: 0 }, 1), skipped: 0, batch: 1 } });
    const text = `${shown.toLocaleString('en')} lines`;
    await opened.page.waitForFunction((text) => document.querySelector('.line-count')?.textContent === text, text);
    return { ...opened, buffer, events };
  }

  /** Sends the events from `from` on as the tail's next message, and waits until the last one's line is drawn. */
  async function appendRest(page: Page, buffer: TailBuffer, events: JobEvent[], from: number): Promise<void> {
    await send(page, { type: 'lines', body: { lines: buffer.add({ events: events.slice(from), problems: [], skipped: 0 }, 1), skipped: 0, batch: 2 } });
    const last = `#${events.at(-1)!.nats_sequence}`;
    await page.waitForFunction((last) => Array.from(document.querySelectorAll('.tl-seq')).some((seq) => seq.textContent === last), last);
  }

  /** From now on, counts the reads of `offsetHeight` of elements matching `selector` (each forces a layout). */
  async function countHeightReads(page: Page, selector: string): Promise<void> {
    await page.evaluate((selector) => {
      const height = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetHeight')!;
      const counted = window as unknown as { __heightReads: number };
      counted.__heightReads = 0;
      Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
        configurable: true,
        get(this: HTMLElement) {
          if (this.matches(selector)) counted.__heightReads++;
          return height.get!.call(this) as number;
        },
      });
    }, selector);
  }

  function heightReads(page: Page): Promise<number> {
    return page.evaluate(() => (window as unknown as { __heightReads: number }).__heightReads);
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

    pages.states.set('timeline', saved);
    const again = await open('timeline');
    await send(again.page, { type: 'init', body: { jobId: 'job-big', timeMode: 'local', preview: false } });
    await send(again.page, { type: 'timeline', body: { timeline, olderCount: 0, updatedAt: Date.now() } });
    const restoredList = again.page.locator('.timeline-list');
    assert.equal(await restoredList.getAttribute('aria-activedescendant'), `row-${saved.active}`);
    assert.equal(await again.page.locator('.segmented .selected').textContent(), 'Relative');
    assert.equal(await again.page.locator('.ev.open').count(), 1);
    pages.states.delete('timeline');

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
      await send(page, { type: 'lines', body: { lines, skipped: buffer.skipped, batch: i / 1000 + 1 } });
    }
    // The page shows what came at its next frame.
    await page.waitForFunction(() => document.querySelector('.line-count')?.textContent === '5,000 lines');
    assert.match(await page.locator('.skipped-note').textContent() ?? '', /37 skipped by the rate limit/);
    assert.equal(await page.locator('.tail-status').textContent(), 'Live: naq.jobs.events.>');
    assert.ok((await page.locator('.vrow').count()) < 200);
    assert.equal(await page.locator('img').count(), 0);

    await page.locator('.filter-input').fill('failed -w-1');
    await page.waitForFunction(() => /of 5,000 lines/.test(document.querySelector('.line-count')?.textContent ?? ''));

    await page.getByRole('button', { name: 'Pause' }).click();
    const later = buffer.add({ events: bigJob('job-later', 12), problems: [], skipped: 0 }, 2);
    await send(page, { type: 'lines', body: { lines: later, skipped: buffer.skipped, batch: 7 } });
    await page.waitForFunction(() => /Resume \(12 new\)/.test(document.querySelector('button[aria-pressed="true"]')?.textContent ?? ''));

    await page.locator('.tail-list').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    const messages = await posted(page, TailToExtension);
    assert.deepEqual(messages.at(-1), { type: 'openTimeline', body: { jobId: 'job-tail' } });
    // Each lines message is confirmed as it is taken, paused or not: the extension sends the next one then.
    assert.deepEqual(
      messages.filter((m) => m.type === 'received').map((m) => m.body),
      [1, 2, 3, 4, 5, 6, 7].map((batch) => ({ batch })),
    );
    const state = (await page.evaluate(() => (window as unknown as { __state: unknown }).__state)) as { filter: string; pausedAt: number | null };
    assert.equal(state.filter, 'failed -w-1');
    assert.ok(state.pausedAt !== null);
    await finish(page, problems, dialogs);
  });

  test('tail: lines that come keep the rows drawn already, renumbered when the oldest go, and the new first line shows its date', async () => {
    const { page, problems, dialogs, buffer, events } = await tailOf(20, 'job-keep', 25, 20);
    assert.equal(await page.locator('.vrow').count(), 20, 'every line of a short tail is drawn');
    await page.evaluate(() => document.querySelectorAll('.vrow').forEach((row) => row.setAttribute('data-before', '')));
    // Reading a row's height forces a layout: the rows drawn already keep theirs (a ResizeObserver
    // reports a change), so only the new ones are read.
    await countHeightReads(page, '.vrow[data-before]');

    // Five more: the page keeps 20, so the five oldest go and every kept line moves up by five.
    await appendRest(page, buffer, events, 20);
    const rows = await page.locator('.vrow').evaluateAll((elements) =>
      elements.map((row) => ({ index: Number((row as HTMLElement).dataset.index), kept: row.hasAttribute('data-before'), seq: row.querySelector('.tl-seq')?.textContent, dated: row.querySelector('.tl-day') !== null })),
    );
    assert.equal(rows.length, 20);
    // Kept: the lines that were 6th to 20th, now 1st to 15th except the first, which now shows its date (another row).
    assert.deepEqual(
      rows.filter((row) => row.kept).map((row) => row.index),
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    for (const row of rows) assert.equal(row.seq, `#${events[row.index + 5]!.nats_sequence}`, `row ${row.index}`);
    assert.deepEqual(
      rows.filter((row) => row.dated).map((row) => row.index),
      [0],
    );
    assert.equal(await heightReads(page), 0, 'heights read again of rows drawn already');
    await finish(page, problems, dialogs);
  });

  test('tail: lines appended to a full tail do not look up the height of every line again', async () => {
    const { page, problems, dialogs, buffer, events } = await tailOf(5000, 'job-full', 5012, 5000);
    // Looking up every line's height by its key, and indexing every key, at each frame of a flood
    // held the page's thread: the lines kept are found where the trimmed ones put them.
    await page.evaluate(() => {
      const counted = window as unknown as { __mapCalls: number };
      counted.__mapCalls = 0;
      const { get, set } = Map.prototype;
      Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
        counted.__mapCalls++;
        return get.call(this, key);
      };
      Map.prototype.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
        counted.__mapCalls++;
        return set.call(this, key, value);
      };
    });
    await appendRest(page, buffer, events, 5000);
    const calls = await page.evaluate(() => (window as unknown as { __mapCalls: number }).__mapCalls);
    assert.ok(calls < 500, `${calls} map look-ups for 12 lines appended to 5,000`);
    await finish(page, problems, dialogs);
  });

  test('tail: a new line of a kind measured already is not measured, and a kind that changes height moves every line of it', async () => {
    const { page, problems, dialogs, buffer, events } = await tailOf(300, 'job-kind', 220, 200);
    const lineHeight = await page.evaluate(() => (document.querySelector('.vrow .tail-line') as HTMLElement).offsetHeight);
    await countHeightReads(page, '.vrow');
    await appendRest(page, buffer, events, 200);
    assert.equal(await heightReads(page), 0, 'heights read of new one-line rows');
    const spacer = (): Promise<number> => page.evaluate(() => parseFloat((document.querySelector('.vlist-spacer') as HTMLElement).style.height));
    const before = await spacer();

    // Taller lines (as CSS would make them): the rows in view report it, and the 219 one-line rows
    // take it, those out of view too (the first line, with its date above it, is a kind of its own).
    await page.evaluate(() => document.styleSheets[0]!.insertRule('.tail-line { height: 40px !important; }'));
    const grown = 219 * (40 - lineHeight);
    await page.waitForFunction((total) => parseFloat((document.querySelector('.vlist-spacer') as HTMLElement).style.height) >= total, before + grown);
    assert.equal(await spacer(), before + grown);
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
    assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', new RegExp(`^worker-1${XSS_IMG.replace(/[()]/g, '\\$&')}: 99 jobs`));
    await page.getByRole('button', { name: 'Show all 25' }).click();
    assert.equal(await page.locator('.bar-row').count(), 27);
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    assert.equal((await posted(page, StatsToExtension)).at(-1)?.type, 'refresh');
    await finish(page, problems, dialogs);
  });

  test('stats dashboard in another language: every part reads its texts from the bundle in data-l10n, made after it is configured', async () => {
    pages.bundles.set('stats', {
      'Job analytics': 'Analyse des jobs',
      'Per queue': 'Par file',
      'Showing {0}': 'Affiche {0}',
      'the last hour': 'la dernière heure',
      '{0}, a point per {1}, live': '{0}, un point par {1}, en direct',
      '{0} min': '{0} mn',
      'Throughput by event type': "Débit par type d'événement",
      'enqueued': 'mis en file',
      'Enqueued': 'Mis en file',
      'Queue': 'File',
      'Failure rate': "Taux d'échec",
      'Show all {0}': 'Tout afficher ({0})',
    });
    try {
      const { page, problems, dialogs } = await open('stats');
      const from = 1_717_000_000 - (1_717_000_000 % 60);
      const range = { preset: '1h', from, to: from + 3600, step: 60, live: true };
      await send(page, { type: 'metrics', body: { range, overall: metricsResult(from, 60, 60, 'none'), groups: metricsResult(from, 3600, 1, 'queue'), groupBy: 'queue', updatedAt: Date.now() } });
      const workerUsage: Record<string, number> = {};
      for (let i = 0; i < 25; i++) workerUsage[`worker-${i}`] = 100 - i;
      await send(page, {
        type: 'stats',
        body: { stats: { jobsStarted: 50, jobsRunning: 5, jobsCompleted: 40, jobsFailed: 5, totalDurationMs: 4000, averageDurationMs: 100, workerUsage, queueUsage: { q1: 3 }, eventsSeen: 500 }, updatedAt: Date.now() },
      });
      assert.equal(await page.locator('h1').textContent(), 'Analyse des jobs');
      assert.equal(await page.locator('[data-group-by="queue"]').first().textContent(), 'Par file');
      assert.equal(await page.locator('.range-label').textContent(), 'Affiche la dernière heure, un point par 1 mn, en direct');
      assert.equal(await page.locator('.chart-card h2 span').first().textContent(), "Débit par type d'événement");
      const head = await page.locator('.group-table thead').textContent();
      assert.match(head ?? '', /^FileMis en file/);
      assert.match(head ?? '', /Taux d'échec/);
      await page.locator('details[data-table="throughput"] summary').click();
      assert.match(await page.locator('details[data-table="throughput"] thead').textContent() ?? '', /mis en file/);
      assert.match(await page.locator('.cards').textContent() ?? '', /Taux d'échec/);
      assert.equal(await page.getByRole('button', { name: 'Tout afficher (25)' }).count(), 1);
      await finish(page, problems, dialogs);
    } finally {
      pages.bundles.delete('stats');
    }
  });

  /** A `metrics/query` answer over [from, from + n * step): a job enqueued, started and completed per point, a failure every 10th. */
  function metricsResult(from: number, step: number, n: number, groupBy: 'none' | 'queue') {
    const times = Array.from({ length: n }, (_, i) => from + i * step);
    const zeros = () => new Array<number>(n).fill(0);
    const counts = { enqueued: zeros().map(() => 1), started: zeros().map(() => 1), completed: zeros().map((_, i) => (i % 10 === 0 ? 0 : 1)), failed: zeros().map((_, i) => (i % 10 === 0 ? 1 : 0)), retried: zeros(), timedOut: zeros(), cancelled: zeros() };
    const p = (i: number) => ({ count: 1, p50: 100 + i, p95: 200 + i, p99: 300 + i });
    const totals = { counts: { enqueued: n, started: n, completed: n - Math.ceil(n / 10), failed: Math.ceil(n / 10), retried: 0, timedOut: 0, cancelled: 0 }, failureRate: 0.1, runTime: p(0), queueWait: p(1) };
    const series = groupBy === 'none'
      ? [{ group: null, counts, failureRate: times.map((_, i) => (i % 10 === 0 ? 1 : 0)), runTime: times.map((_, i) => p(i)), queueWait: times.map((_, i) => p(i)), totals }]
      : [{ group: `billing${XSS_IMG}`, totals }, { group: 'emails', totals: { ...totals, counts: { ...totals.counts, enqueued: 1 } } }];
    return { from, to: from + n * step, step, times, series };
  }

  test('stats dashboard: charts drawn on canvas under the CSP, range picker, brush by keyboard and by mouse, tables, CSV asked of the extension', async () => {
    const { page, problems, dialogs } = await open('stats');
    const first = await posted(page, StatsToExtension);
    assert.deepEqual(first.find((m) => m.type === 'range')?.body, { preset: '1h', from: null, to: null }, 'the page asks for its range');
    const from = 1_717_000_000 - (1_717_000_000 % 60);
    const range = { preset: '1h', from, to: from + 3600, step: 60, live: true };
    await send(page, { type: 'metrics', body: { range, overall: metricsResult(from, 60, 60, 'none'), groups: metricsResult(from, 3600, 1, 'queue'), groupBy: 'queue', updatedAt: Date.now() } });
    assert.equal(await page.locator('.chart-plot canvas').count(), 4, 'four charts on canvas');
    assert.match(await page.locator('.range-label').textContent() ?? '', /the last hour, a point per 1 min, live/);
    const rows = page.locator('.group-table tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.first().textContent() ?? '', /billing<img/);
    assert.equal(await page.locator('img').count(), 0);

    // The table equivalent: one row per point with the exact values.
    await page.locator('details[data-table="runTime"] summary').click();
    // The table is built on the details' toggle event, which fires after the click returns.
    await page.waitForFunction(() => document.querySelectorAll('details[data-table="runTime"] tbody tr').length > 0, undefined, { timeout: 10_000 });
    assert.equal(await page.locator('details[data-table="runTime"] tbody tr').count(), 60);
    assert.match(await page.locator('details[data-table="runTime"] tbody tr').nth(5).textContent() ?? '', /105 ms.*205 ms.*305 ms/);

    // Keyboard brush: the 3rd to the 6th point, Enter.
    const plot = page.locator('.chart-plot[data-chart="throughput"]');
    await plot.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    assert.match(await plot.locator('xpath=..').locator('[aria-live]').textContent() ?? '', /Selected .* Enter shows its jobs/);
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page, StatsToExtension)).at(-1), { type: 'filterJobs', body: { from: from + 120, to: from + 360 } });

    // Mouse brush: a drag over the left half of the plot picks about the first half hour.
    const over = page.locator('.chart-plot[data-chart="failureRate"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + 1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const brushed = (await posted(page, StatsToExtension)).at(-1) as { type: string; body: { from: number; to: number } };
    assert.equal(brushed.type, 'filterJobs');
    assert.ok(Math.abs(brushed.body.from - from) <= 60 && Math.abs(brushed.body.to - (from + 1800)) <= 60, JSON.stringify(brushed.body));

    await send(page, { type: 'jobsFilter', body: { from: from + 120, to: from + 360 } });
    await page.getByRole('button', { name: 'Clear the time filter' }).click();
    assert.equal((await posted(page, StatsToExtension)).at(-1)?.type, 'clearJobsFilter');

    // The choices the page starts with are pressed from the start (true, not an empty attribute), each other one not.
    assert.equal(await page.locator('button[data-range="1h"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('button[data-range="24h"]').getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('button[data-group-by="queue"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('button[data-group-by="worker"]').getAttribute('aria-pressed'), 'false');
    // The range picker, by keyboard: Tab to "24 h", Enter.
    await page.locator('button[data-range="24h"]').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page, StatsToExtension)).at(-1), { type: 'range', body: { preset: '24h', from: null, to: null } });
    assert.equal(await page.locator('button[data-range="24h"]').getAttribute('aria-pressed'), 'true');
    assert.equal(((await page.evaluate(() => (window as unknown as { __state: { preset: string } }).__state)).preset), '24h', 'the choice is kept for a reload');

    await page.getByRole('button', { name: 'Export CSV' }).click();
    assert.equal((await posted(page, StatsToExtension)).at(-1)?.type, 'exportCsv');

    // A live range sliding on a minute: the same canvases, new values (the open table follows).
    const firstRow = await page.locator('details[data-table="runTime"] tbody tr').first().textContent();
    await page.evaluate(() => ((window as unknown as { __canvas: unknown }).__canvas = document.querySelector('.chart-plot[data-chart="runTime"] canvas')));
    await send(page, { type: 'metrics', body: { range: { ...range, from: from + 60, to: from + 3660 }, overall: metricsResult(from + 60, 60, 60, 'none'), groups: metricsResult(from + 60, 3600, 1, 'queue'), groupBy: 'queue', updatedAt: Date.now() } });
    assert.ok(await page.evaluate(() => (window as unknown as { __canvas: unknown }).__canvas === document.querySelector('.chart-plot[data-chart="runTime"] canvas')), 'updated in place');
    assert.notEqual(await page.locator('details[data-table="runTime"] tbody tr').first().textContent(), firstRow);

    // A theme change (VS Code rewrites the variables on the root element) redraws the lines in the new colours.
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', 'rgb(18, 52, 86)'));
    await page.waitForFunction(() => {
      const marker = document.querySelector<HTMLElement>('.chart-plot[data-chart="throughput"] .u-legend .u-series:nth-child(2) .u-marker');
      return marker?.style.borderColor === 'rgb(18, 52, 86)';
    }, undefined, { timeout: 5_000 });
    await finish(page, problems, dialogs);
  });
});
