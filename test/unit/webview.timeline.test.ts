/**
 * The timeline page's layout and truth, in headless Chromium with the page's clock injected
 * (test/support/timelinePageHarness.ts): running attempts tick, run time and span say which is
 * which, expanded fields show formatted times, and a narrow list gives the message the space.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createEvent, type JobEvent, type JobEventInit } from '../../server/src/model/event';
import type { ToTimeline } from '../../client/src/webview/messages';
import { attemptElapsedMs, groupAttempts, jobTimes } from '../../media/src/timeline/attempts';
import { fieldTime } from '../../media/src/timeline/rows';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const T0 = 1_796_472_817.842;

function job(inits: Omit<JobEventInit, 'job_id'>[]): JobEvent[] {
  return inits.map((init, i) => createEvent({ job_id: 'job-1', nats_sequence: 100 + i, ...init }));
}

function timelineMessage(events: JobEvent[]): ToTimeline {
  return { type: 'timeline', body: { timeline: { jobId: 'job-1', job: null, events, problems: [], source: 'index' }, olderCount: 0, updatedAt: T0 * 1000 } };
}

describe('timeline times (pure)', () => {
  test('a running attempt counts up to now; a finished one keeps its duration', () => {
    const events = job([
      { event_type: 'enqueued', timestamp: T0 },
      { event_type: 'started', timestamp: T0 + 1, worker_id: 'w' },
    ]);
    const g = groupAttempts(events);
    assert.equal(g.attempts[0]!.outcome, 'running');
    assert.equal(attemptElapsedMs(g.attempts[0]!, events, (T0 + 1) * 1000 + 17 * 60_000), 17 * 60_000);
    const times = jobTimes(g, events, (T0 + 1) * 1000 + 5000);
    assert.deepEqual([times.runMs, times.running, times.runMeasured], [5000, true, true]);
  });

  test('a one-event completed job: run time is the reported duration, no span', () => {
    const events = job([{ event_type: 'completed', timestamp: T0, duration_ms: 120 }]);
    const times = jobTimes(groupAttempts(events), events, T0 * 1000);
    assert.deepEqual(times, { runMs: 120, runMeasured: false, running: false, spanMs: null });
  });

  test('run time sums the attempts; span runs from the first to the last event', () => {
    const events = job([
      { event_type: 'enqueued', timestamp: T0 },
      { event_type: 'started', timestamp: T0 + 10 },
      { event_type: 'failed', timestamp: T0 + 11, duration_ms: 900 },
      { event_type: 'retry_started', timestamp: T0 + 20 },
      { event_type: 'completed', timestamp: T0 + 22, duration_ms: 2000 },
    ]);
    const times = jobTimes(groupAttempts(events), events, 0);
    assert.deepEqual(times, { runMs: 2900, runMeasured: false, running: false, spanMs: 22_000 });
  });

  test('expanded fields show times as the list does, with the date', () => {
    const utc = fieldTime(T0, { mode: 'utc', origin: T0, withDate: false });
    assert.equal(utc, '2026-12-05 12:13:37.842Z');
    const relative = fieldTime(T0 + 2.5, { mode: 'relative', origin: T0, withDate: false });
    assert.match(relative, /^\+2\.500s · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });
});

describe('timeline page in Chromium', { skip: existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM}` }, () => {
  let browser: Browser;
  let script: string;
  let css: string;

  before(async () => {
    const built = await esbuild.build({
      entryPoints: [join(ROOT, 'test/support/timelinePageHarness.ts'), join(ROOT, 'media/timeline.css')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: ['es2022', 'chrome120'],
      write: false,
      outdir: '/out',
      logLevel: 'silent',
    });
    script = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
    css = built.outputFiles.find((f) => f.path.endsWith('.css'))!.text;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
  });

  async function open(width: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><head></head><body data-view="timeline"><div id="app" class="app"></div></body></html>');
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: script });
    assert.deepEqual(errors, []);
    return page;
  }

  async function send(page: Page, message: ToTimeline): Promise<void> {
    await page.evaluate((json) => (window as unknown as { __timeline: { send(m: unknown): void } }).__timeline.send(JSON.parse(json)), JSON.stringify(message));
  }

  async function setNow(page: Page, ms: number): Promise<void> {
    await page.evaluate((t) => (window as unknown as { __timeline: { clock: { set(t: number): void } } }).__timeline.clock.set(t), ms);
  }

  async function advance(page: Page, ms: number): Promise<void> {
    await page.evaluate((t) => (window as unknown as { __timeline: { clock: { advance(t: number): void } } }).__timeline.clock.advance(t), ms);
  }

  test('a running attempt ticks: 17 minutes after its start it says so, and counts on', async () => {
    const page = await open(1000);
    await setNow(page, (T0 + 1) * 1000 + 17 * 60_000);
    await send(page, timelineMessage(job([
      { event_type: 'enqueued', timestamp: T0, queue_name: 'q' },
      { event_type: 'started', timestamp: T0 + 1, worker_id: 'w1' },
    ])));
    const duration = page.locator('.attempt.outcome-running .attempt-duration');
    assert.equal(await duration.textContent(), '17m 00s');
    assert.match(await page.locator('.facts').textContent() ?? '', /Run time17m 00s \(running\)/);
    await advance(page, 2000);
    assert.equal(await duration.textContent(), '17m 02s');
    assert.match(await page.locator('.facts').textContent() ?? '', /Run time17m 02s \(running\)/);
    await page.close();
  });

  test('a one-event completed job: run time 120 ms, no contradicting 0 ms', async () => {
    const page = await open(1000);
    await send(page, timelineMessage(job([{ event_type: 'completed', timestamp: T0, duration_ms: 120, worker_id: 'w' }])));
    const facts = (await page.locator('.facts').textContent()) ?? '';
    assert.match(facts, /Run time120 ms/);
    assert.doesNotMatch(facts, /0 ms(?!\S)|Runtime/);
    assert.equal(await page.locator('.ev-duration').getAttribute('title'), 'Duration this event reports');
    await page.close();
  });

  test('expanded fields show the time formatted, not epoch seconds', async () => {
    const page = await open(1000);
    await send(page, timelineMessage(job([{ event_type: 'enqueued', timestamp: T0, queue_name: 'q' }])));
    await page.locator('.ev-head').first().click();
    const fields = (await page.locator('.fields').textContent()) ?? '';
    assert.doesNotMatch(fields, /1796472817/);
    assert.match(fields, /Time\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.842/);
    await page.close();
  });

  test('older events: a keyboard-reachable "Load older", the page put in front, scrolling to the top asks for the next', async () => {
    const page = await open(1000);
    const all = job(Array.from({ length: 1500 }, (_, i) => ({ event_type: i === 0 ? 'enqueued' : 'worker_heartbeat', timestamp: T0 + i, message: `beat ${i}` })));
    const posted = () => page.evaluate(() => (window as unknown as { __timeline: { posted: { type: string }[] } }).__timeline.posted.map((m) => m.type));
    await send(page, { type: 'timeline', body: { timeline: { jobId: 'job-1', job: null, events: all.slice(1000), problems: [], source: 'index' }, olderCount: 1000, updatedAt: T0 * 1000 } });
    assert.match(await page.locator('.older-bar').textContent() ?? '', /1,000 older events not loaded/);
    assert.match(await page.locator('.facts').textContent() ?? '', /Events1,500 \(500 loaded\)/);
    const loadOlder = page.getByRole('button', { name: 'Load older' });
    await loadOlder.focus();
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted()).filter((t) => t === 'loadOlder').length, 1);
    assert.match(await page.locator('.older-bar').textContent() ?? '', /Loading/);

    await send(page, { type: 'older', body: { before: all[1000]!.nats_sequence!, events: all.slice(500, 1000), olderCount: 500, problems: [] } });
    assert.match(await page.locator('.older-bar').textContent() ?? '', /500 older events not loaded/);
    assert.match(await page.locator('.facts').textContent() ?? '', /Events1,500 \(1,000 loaded\)/);
    // What was in view stays in view: the first row shown is still the one before the older page came.
    assert.equal(await page.locator('.timeline-list').evaluate((host) => host.scrollTop > 0), true);

    await page.locator('.timeline-list').evaluate((host) => host.scrollTo({ top: 0 }));
    await page.waitForFunction(() => (window as unknown as { __timeline: { posted: { type: string }[] } }).__timeline.posted.filter((m) => m.type === 'loadOlder').length === 2);
    await send(page, { type: 'older', body: { before: all[500]!.nats_sequence!, events: all.slice(0, 500), olderCount: 0, problems: [] } });
    assert.equal(await page.locator('.older-bar').isHidden(), true);
    assert.match(await page.locator('.facts').textContent() ?? '', /Events1,500(?! \()/);
    await page.close();
  });

  test('in a narrow editor the message gets the space and wraps; worker and queue give way', async () => {
    const page = await open(420);
    const message = 'Job finished its work after reading every record of the nightly import and writing the summary';
    await send(page, timelineMessage(job([{ event_type: 'completed', timestamp: T0, message, worker_id: 'worker-with-a-long-name-01', queue_name: 'a-queue-with-a-long-name' }])));
    const row = await page.locator('.ev-head').first().boundingBox();
    const text = await page.locator('.ev-message').first().boundingBox();
    assert.ok(row && text);
    assert.ok(text.width > row.width * 0.4, `message ${text.width}px of a ${row.width}px row`);
    assert.ok(text.height > 30, `message ${text.height}px high: it wraps`);
    assert.equal(await page.locator('.ev-message').first().textContent(), message);
    assert.equal(await page.locator('.ev-head .ev-context').first().isVisible(), false);
    await page.close();
  });
});
