/**
 * Daily use in a real editor (code-server + Chromium, a real nats-server): a tail that keeps going
 * after a settings-triggered reconnect and after a NATS restart, and says its true state; a pattern
 * outside the stream refused in the input box; search by error type; the actions after emitting.
 * Each scenario waits for a sentinel event or a shown text, never for time. With NAQ_SCREENSHOTS=1
 * the scenarios save pictures of what they show to docs/screenshots/ (for docs/daily-use.md).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import type { NatsServer } from '../support/natsServer';
import {
  answerInput,
  closeAllEditors,
  contextMenuCommand,
  EditorSession,
  jobRow,
  killDescendantsOnExit,
  openFile,
  openNaqViews,
  paletteCommand,
  pickItem,
  reloadWindow,
  treeRow,
  untilPickLists,
  viewPane,
  waitForStatus,
  webviewPage,
} from './fixtures/editorSession';
import { closeNaqEditor, openNaqEditor } from './fixtures/naqEditor';
import { docScreenshot } from './fixtures/screenshots';
import { waitForVisible, waitUntil, withTimeout } from './harness';
import { storeRetrying } from './fixtures/storeRetrying';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
const PREFIX = 'naq.jobs.events';

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

function emit(event: JobEvent, timeoutMs = 30_000): Promise<void> {
  return storeRetrying(storage, event, timeoutMs);
}

function sentinel(name: string): JobEvent {
  return JobEvents.enqueued(`${name}-${run}`, `daily-${run}`);
}

/** The tail page's header text. */
async function tailHeader(frame: Frame): Promise<string> {
  return withTimeout(
    frame.evaluate(() => document.querySelector('.tail-status')?.textContent ?? ''),
    5_000,
    'reading the tail header',
  );
}

async function untilHeader(frame: Frame, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  return waitUntil(
    async () => {
      const text = await tailHeader(frame).catch(() => '');
      return pattern.test(text) ? text : undefined;
    },
    { timeoutMs, intervalMs: 200, what },
  );
}

/** Starts a tail of every event from the palette and returns its page once the header says live. */
async function startTail(page: Page): Promise<Frame> {
  await paletteCommand(page, 'NAQ: Tail Subject…');
  await answerInput(page, 'NAQ: Tail Subject', `${PREFIX}.>`);
  const frame = await webviewPage(page, 'tail', (text) => text.includes(`Live: ${PREFIX}.>`), 30_000, 'the live tail');
  return frame;
}

/** Waits until the tail shows `jobId`: the sentinel went through the tail. */
function inTail(page: Page, jobId: string, timeoutMs: number): Promise<Frame> {
  return webviewPage(page, 'tail', (text) => text.includes(jobId), timeoutMs, `${jobId} in the tail`);
}

/** Sets a number setting in the Settings editor, found by its id; then closes that editor. */
async function setNumberSetting(page: Page, id: string, value: number, timeoutMs = 20_000): Promise<void> {
  await paletteCommand(page, 'Preferences: Open Settings (UI)');
  const editor = page.locator('.settings-editor');
  await waitForVisible(editor, timeoutMs, 'the Settings editor');
  await editor.locator('.settings-header .suggest-input-container').click({ timeout: timeoutMs });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(id);
  // Until the search has filtered the list, the first number input may belong to another setting.
  await waitForVisible(editor.locator('.settings-count-widget', { hasText: /^1 Setting Found$/ }), timeoutMs, `${id} alone in the Settings editor`);
  const input = editor.locator('.setting-item-number input').first();
  await waitForVisible(input, timeoutMs, `the input of ${id}`);
  // The Settings editor can draw its list again while it settles, dropping what was typed: type until it holds.
  await waitUntil(
    async () => {
      if ((await input.inputValue().catch(() => '')) === String(value)) return true;
      await input.fill(String(value), { timeout: 5_000 }).catch(() => undefined);
      await input.press('Tab', { timeout: 5_000 }).catch(() => undefined);
      return false;
    },
    { timeoutMs, intervalMs: 200, what: `${id} to read ${value}` },
  );
  await paletteCommand(page, 'View: Close Editor');
  await editor.waitFor({ state: 'hidden', timeout: timeoutMs });
}

describe('NAQ daily use in a real editor', () => {
  before(
    async () => {
      ({ nats, storage, session } = await openNaqEditor('NAQ daily use', { 'naq.tail.rateLimit': 200 }));
    },
    { timeout: 180_000 },
  );

  after(() => closeNaqEditor({ session, storage, nats }), { timeout: 60_000 });

  test('tail: a settings change reconnects the backend and the tail keeps going', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await startTail(page);
      await emit(sentinel('before-settings'));
      await inTail(page, `before-settings-${run}`, 30_000);

      await setNumberSetting(page, 'naq.tail.rateLimit', 300);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await emit(sentinel('after-settings'));
      const frame = await inTail(page, `after-settings-${run}`, 30_000);
      assert.match(await tailHeader(frame), new RegExp(`^Live: ${PREFIX.replace(/\./g, '\\.')}\\.>`));
      await waitForVisible(treeRow(viewPane(page, 'Queues'), `daily-${run}`), 30_000, 'the queue of the sentinels in the Queues view after the reconnect');
      await docScreenshot(page.locator('.part.editor'), 'tail-live');
      await closeAllEditors(page);
    }),
  );

  test('tail: the header says reconnecting while NATS is down, and the tail resumes after the restart', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      const frame = await startTail(page);
      await emit(sentinel('before-restart'));
      await inTail(page, `before-restart-${run}`, 30_000);

      await nats.stop();
      await untilHeader(frame, /^Reconnecting: /, 30_000, 'the header to say reconnecting');
      await docScreenshot(page.locator('.part.editor'), 'tail-reconnecting');
      await nats.restart();
      await emit(sentinel('after-restart'));
      await inTail(page, `after-restart-${run}`, 60_000);
      await untilHeader(frame, /^Live: /, 30_000, 'the header to say live again');
      await closeAllEditors(page);
    }),
  );

  test('tail: paused and stopped say so; a pattern outside the stream is refused in the input box and the tail stays', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      const frame = await startTail(page);
      await frame.locator('button', { hasText: 'Pause' }).click({ timeout: 10_000 });
      await untilHeader(frame, /^Paused: /, 10_000, 'the header to say paused');
      await emit(sentinel('while-paused'));
      await untilHeader(frame, /^Paused: .*\(1 new\)/, 30_000, 'the header to count the new line');
      await frame.locator('button', { hasText: 'Resume' }).click({ timeout: 10_000 });
      await inTail(page, `while-paused-${run}`, 30_000);

      await paletteCommand(page, 'NAQ: Tail Subject…');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('foo.bar', { timeout: 10_000 });
      const message = page.locator('.quick-input-widget .quick-input-message');
      await waitUntil(async () => /outside the stream's subjects/.test(await message.innerText().catch(() => '')), {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'the input box to refuse foo.bar',
      });
      await docScreenshot(page.locator('.quick-input-widget'), 'tail-pattern-refused');
      await input.press('Enter');
      assert.ok(await input.isVisible(), 'Enter on a refused pattern closes the input box');
      await page.keyboard.press('Escape');
      await emit(sentinel('after-refusal'));
      await inTail(page, `after-refusal-${run}`, 30_000);
      assert.match(await tailHeader(frame), /^Live: /, 'the working tail was not replaced');

      await frame.locator('button', { hasText: 'Stop' }).click({ timeout: 10_000 });
      await untilHeader(frame, /^Stopped: /, 10_000, 'the header to say stopped');
      await closeAllEditors(page);
    }),
  );

  test('search: ValueError finds the job whose row reads ValueError, and opens its timeline', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-value-error-${run}`;
      await emit(JobEvents.failed(jobId, `worker-${run}`, { name: 'ValueError', message: 'boom' }, 12, 0, { queue_name: `daily-${run}` }));
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Search Jobs…');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill('ValueError', { timeout: 10_000 });
      const row = page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: jobId });
      await waitForVisible(row.first(), 30_000, `${jobId} among the results for ValueError`);
      await input.fill('ValueError: boom', { timeout: 10_000 });
      await waitForVisible(row.first(), 30_000, `${jobId} among the results for "ValueError: boom"`);
      await docScreenshot(page.locator('.quick-input-widget'), 'search-value-error');
      await row.first().click({ timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(jobId) && text.includes('boom'), 30_000, `the timeline of ${jobId}`);
      await docScreenshot(page.locator('.part.editor'), 'timeline');
      await closeAllEditors(page);
    }),
  );

  test('search: status:, queue: and worker: narrow the results, recent activity first; Open Job Timeline lists the jobs as you type', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      const [a, b, c] = ['a', 'b', 'c'].map((x) => `job-search-${x}-${run}`);
      const [queueA, queueB] = [`search-qa-${run}`, `search-qb-${run}`];
      const [workerA, workerB] = [`search-wa-${run}`, `search-wb-${run}`];
      // One second apart, oldest first: the order the results must come in is known.
      const t0 = Math.floor(Date.now() / 1000) - 60;
      const error = { name: 'ValueError', message: 'search filters' };
      await emit(JobEvents.failed(a, workerA, error, 5, 0, { queue_name: queueA, timestamp: t0 }));
      await emit(JobEvents.failed(b, workerB, error, 5, 0, { queue_name: queueB, timestamp: t0 + 1 }));
      await emit(JobEvents.completed(c, workerA, 5, { queue_name: queueA, timestamp: t0 + 2 }));
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Search Jobs…');
      // Free text found in the error (a row's detail): recent activity first, as the backend answers.
      await untilPickLists(page, 'search filters', [b, a, 'Show all 2 matches in the Jobs view']);
      await untilPickLists(page, 'status:failed search filters', [b, a]);
      await untilPickLists(page, `queue:${queueA}`, [c, a]);
      // Off the input box, whose placeholder hover would cover the rows in the picture.
      await page.mouse.move(10, 10);
      await docScreenshot(page.locator('.quick-input-widget'), 'search-filters');
      await untilPickLists(page, `worker:${workerB}`, [b]);
      await untilPickLists(page, `status:failed queue:${queueA}`, [a]);
      await untilPickLists(page, `status:completed worker:${workerB}`, ['No job matches']);
      await page.keyboard.press('Escape');

      await paletteCommand(page, 'NAQ: Open Job Timeline…');
      await waitForVisible(page.locator('.quick-input-widget .quick-input-title', { hasText: 'NAQ: Open Job Timeline' }), 15_000, 'the Open Job Timeline pick');
      // Part of an id: the jobs it matches are offered as it is typed, not only once a whole id is.
      await page.locator('.quick-input-widget .quick-input-box input').fill(`search-b-${run}`, { timeout: 10_000 });
      const offered = page.locator('.quick-input-widget .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${b}\\s*$`) }) });
      await waitForVisible(offered.first(), 30_000, `${b} offered for "search-b-${run}"`);
      await docScreenshot(page.locator('.quick-input-widget'), 'open-timeline-pick');
      await offered.first().click({ timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(b) && text.includes('search filters'), 30_000, `the timeline of ${b}`);
      await closeAllEditors(page);
    }),
  );

  test('stats: a worker and a queue named only by a completed event count in the usage bars and the per-worker table', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const worker = `worker-completed-only-${run}`;
      const queue = `queue-completed-only-${run}`;
      await emit(JobEvents.completed(`job-completed-only-${run}`, worker, 7, { queue_name: queue }));
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Show Statistics');
      const stats = await webviewPage(page, 'stats', (text) => text.includes(worker), 30_000, `the statistics with ${worker}`);
      const bar = (section: string, name: string) => stats.locator(`section[aria-label="${section}"] .bar-row`).filter({ has: stats.locator('.bar-label', { hasText: name }) });
      await waitForVisible(bar('Worker usage', worker).first(), 10_000, `${worker} in the worker usage`);
      await waitForVisible(bar('Queue usage', queue).first(), 10_000, `${queue} in the queue usage`);
      assert.match((await bar('Worker usage', worker).first().locator('.bar-value').textContent()) ?? '', /^1 ·/, 'the worker ran one job');
      await docScreenshot(stats.locator('section[aria-label="Worker usage"]'), 'stats-worker-usage');
      await stats.locator('button[data-group-by="worker"]').click({ timeout: 10_000 });
      const row = stats.locator('table.group-table[data-group-by="worker"] tbody tr').filter({ has: stats.locator('th', { hasText: worker }) });
      await waitForVisible(row.first(), 30_000, `${worker} in the per-worker table`);
      // Completed is the table's third count column, after Enqueued and Started.
      assert.equal((await row.first().locator('td').nth(2).textContent())?.trim(), '1', 'the per-worker table counts its completed event');
      await closeAllEditors(page);
    }),
  );

  test('stats: the statistics panel comes back after a window reload, grouped as it was, with the metrics from before it, and follows the stream again', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      const [before, later] = [`worker-before-stats-reload-${run}`, `worker-after-stats-reload-${run}`];
      await emit(JobEvents.completed(`job-before-stats-reload-${run}`, before, 5, { queue_name: `daily-${run}` }));
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Show Statistics');
      const stats = await webviewPage(page, 'stats', (text) => text.includes(before), 30_000, `the statistics with ${before}`);
      await stats.locator('button[data-group-by="worker"]').click({ timeout: 10_000 });
      await waitForVisible(stats.locator('table.group-table[data-group-by="worker"]'), 30_000, 'the per-worker table');

      await reloadWindow(page);
      // The totals come from the index, restored with the backend: the worker's usage bar is back.
      const restored = await webviewPage(page, 'stats', (text) => text.includes(before), 60_000, 'the restored statistics, read again');
      await waitForVisible(restored.locator('button[data-group-by="worker"][aria-pressed="true"]'), 10_000, 'the per-worker grouping kept');
      // The per-worker table comes from the metrics, which the backend restored from its snapshot with the index.
      const kept = restored.locator('table.group-table[data-group-by="worker"] tbody th', { hasText: before });
      await waitForVisible(kept.first(), 30_000, `${before} still in the per-worker table after the reload`);
      // The restored panel follows the stream, and the extension answers its page's grouping.
      await emit(JobEvents.completed(`job-after-stats-reload-${run}`, later, 5, { queue_name: `daily-${run}` }));
      const row = restored.locator('table.group-table[data-group-by="worker"] tbody th', { hasText: later });
      await waitForVisible(row.first(), 30_000, `${later} in the restored per-worker table`);
      await docScreenshot(page.locator('.part.editor'), 'stats-restored');
      await closeAllEditors(page);
    }),
  );

  test('emit: a sample lifecycle with a chosen job id and queue, then Open Timeline from the notification', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-emitted-${run}`;
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Emit Sample Lifecycle…');
      await pickItem(page, 'NAQ: Emit Sample Lifecycle', 'Success');
      await answerInput(page, 'NAQ: Sample Lifecycle Job ID', jobId);
      await answerInput(page, 'NAQ: Sample Lifecycle Queue', `emitted-${run}`);
      // A toast can be hidden (an unfocused window, do not disturb): the notification centre lists it either way.
      await paletteCommand(page, 'Notifications: Show Notifications');
      const item = page.locator('.notifications-center .notification-list-item').filter({ hasText: `success lifecycle for ${jobId}` });
      await waitForVisible(item.first(), 30_000, 'the notification of the stored lifecycle');
      await docScreenshot(page.locator('.notifications-center'), 'emit-actions');
      await item.first().locator('.monaco-button', { hasText: 'Open Timeline' }).click({ timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(jobId) && text.includes('completed'), 30_000, `the timeline of ${jobId}`);
      const stored = await storage.jobEvents(jobId);
      assert.ok(stored.events.every((e) => e.queue_name === null || e.queue_name === undefined || e.queue_name === `emitted-${run}`), 'the chosen queue is the one stored');
      await closeAllEditors(page);
    }),
  );

  test('tail: a tail panel comes back live after a window reload', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await startTail(page);
      await emit(sentinel('before-reload'));
      await inTail(page, `before-reload-${run}`, 30_000);
      await reloadWindow(page);
      const frame = await webviewPage(page, 'tail', (text) => text.includes(`Live: ${PREFIX}.>`), 60_000, 'the restored tail, live');
      await emit(sentinel('after-reload'));
      await inTail(page, `after-reload-${run}`, 30_000);
      assert.match(await tailHeader(frame), /^Live: /);
      await closeAllEditors(page);
    }),
  );

  test('tail: an empty pattern tails failures only and says so; Tail This Job starts with the job\'s history', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-history-${run}`;
      const history = `history of ${jobId}`;
      await emit(JobEvents.enqueued(jobId, `daily-${run}`, 0, { message: history }));
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Tail Subject…');
      await answerInput(page, 'NAQ: Tail Subject', '');
      const failures = await webviewPage(page, 'tail', (text) => text.includes('Live: failures only'), 30_000, 'the failures-only tail, labelled so');
      assert.doesNotMatch(await tailHeader(failures), new RegExp(PREFIX.replace(/\./g, '\\.')), 'the failures-only tail is labelled like a tail of everything');
      await closeAllEditors(page);

      await contextMenuCommand(page, await jobRow(page, 'Queued', jobId, 30_000), 'Tail This Job');
      await webviewPage(page, 'tail', (text) => text.includes(history), 30_000, `the history of ${jobId} in its new tail`);
      await closeAllEditors(page);
    }),
  );

  test('views: a worker lists every job it ran an attempt of, not only the last', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-two-workers-${run}`;
      const [first, second] = [`worker-first-${run}`, `worker-second-${run}`];
      const queue = { queue_name: `daily-${run}` };
      await emit(JobEvents.started(jobId, first, 'python', queue));
      await emit(JobEvents.failed(jobId, first, { name: 'ValueError', message: 'first attempt' }, 5, 0, queue));
      await emit(JobEvents.started(jobId, second, 'python', queue));
      await openNaqViews(page);
      const workers = viewPane(page, 'Workers');
      for (const worker of [first, second]) {
        const row = treeRow(workers, worker);
        const description = row.first().locator('.label-description');
        await waitUntil(async () => /^1 job\b/.test((await description.textContent().catch(() => null)) ?? ''), {
          timeoutMs: 30_000,
          intervalMs: 250,
          what: `${worker} to list the job in the Workers view`,
        });
      }
    }),
  );

  test('tabs: a timeline opens in a preview tab the next job replaces; Keep Open keeps it and the next job gets a tab of its own', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const [a, b, c] = ['a', 'b', 'c'].map((x) => `job-tab-${x}-${run}`);
      for (const jobId of [a, b, c]) await emit(JobEvents.enqueued(jobId, `daily-tabs-${run}`));
      await openNaqViews(page);
      await closeAllEditors(page);
      const tabs = page.locator('.tabs-container .tab');
      const open = async (jobId: string): Promise<Frame> => {
        await (await jobRow(page, 'Queued', jobId, 30_000)).click({ timeout: 10_000 });
        return webviewPage(page, 'timeline', (text) => text.includes(jobId), 30_000, `the timeline of ${jobId}`);
      };
      await open(a);
      const timeline = await open(b);
      await waitUntil(async () => (await tabs.count()) === 1 && /\(preview\)/.test(await tabs.first().innerText()), {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: `one preview tab, showing ${b}`,
      });
      assert.match(await tabs.first().innerText(), new RegExp(b));
      await timeline.locator('button[title^="Keep this timeline open"]').click({ timeout: 10_000 });
      await waitUntil(async () => !/\(preview\)/.test(await tabs.first().innerText()), { timeoutMs: 10_000, intervalMs: 200, what: `the tab of ${b} kept` });
      await open(c);
      await waitUntil(async () => (await tabs.count()) === 2, { timeoutMs: 10_000, intervalMs: 200, what: `a tab of its own for ${c}` });
      await closeAllEditors(page);
    }),
  );

  test('one truth: a plain-text payload on a job\'s failed subject leaves its status alone and shows in its timeline as a problem with its sequence', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `garbage-job-${run}`;
      await emit(JobEvents.enqueued(jobId, `daily-${run}`));
      const ack = await storage.session.js.publish(`${PREFIX}.${jobId}.failed`, new TextEncoder().encode('this is not msgpack'));
      await openNaqViews(page);
      await (await jobRow(page, 'Queued', jobId, 30_000)).click({ timeout: 10_000 });
      await webviewPage(
        page,
        'timeline',
        (text) => text.includes(jobId) && /1 event of this job could not be decoded/.test(text) && text.includes(`#${ack.seq}`),
        30_000,
        `the undecodable event #${ack.seq} as a problem in the timeline of ${jobId}`,
      );
      // The index has seen the bad message (the timeline lists it), and the job is still only queued.
      assert.equal(await treeRow(viewPane(page, 'Jobs'), jobId).count(), 1, 'the job is listed under one status');
      await jobRow(page, 'Queued', jobId, 10_000);
      await closeAllEditors(page);
    }),
  );

  test('emit: a saved template in .naq/emit.json is sent from its CodeLens', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-template-${run}`;
      mkdirSync(join(session.workspace, '.naq'), { recursive: true });
      const templates = [{ name: `Template ${run}`, event: { job_id: jobId, event_type: 'enqueued', queue_name: `daily-${run}` } }];
      writeFileSync(join(session.workspace, '.naq', 'emit.json'), `${JSON.stringify(templates, null, 2)}\n`);
      await openNaqViews(page);
      await openFile(page, 'emit.json');
      const lens = page.locator('.codelens-decoration a', { hasText: `Send "Template ${run}"` });
      await waitForVisible(lens.first(), 30_000, 'the Send CodeLens above the template');
      await lens.first().click({ timeout: 10_000 });
      await jobRow(page, 'Queued', jobId, 30_000);
      const stored = await storage.jobEvents(jobId);
      assert.deepEqual(stored.events.map((e) => e.event_type), ['enqueued'], 'the template stored one enqueued event');
      await closeAllEditors(page);
    }),
  );

  test('one truth: the statistics count jobs as the Jobs view does (running, failed, completed), a job failed twice once', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-failed-twice-${run}`;
      const worker = `worker-twice-${run}`;
      const error = { name: 'ValueError', message: 'twice' };
      await emit(JobEvents.failed(jobId, worker, error, 5, 0, { queue_name: `daily-${run}` }));
      await emit(JobEvents.failed(jobId, worker, error, 5, 1, { queue_name: `daily-${run}` }));
      await openNaqViews(page);
      await jobRow(page, 'Failed', jobId, 30_000);
      await paletteCommand(page, 'NAQ: Show Statistics');
      const stats = await webviewPage(page, 'stats', (text) => text.includes(worker), 30_000, `the statistics with ${worker}`);
      const jobs = viewPane(page, 'Jobs');
      const treeCount = async (status: string): Promise<number> => {
        const group = jobs.locator('.monaco-list-row[role="treeitem"][aria-level="1"]').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${status}\\s*$`) }) });
        if ((await group.count()) === 0) return 0;
        return Number(((await group.first().locator('.label-description').textContent()) ?? '').replace(/[^0-9]/g, ''));
      };
      const cards = async (): Promise<Record<string, number>> => {
        const shown = await withTimeout(
          stats.evaluate(() => Array.from(document.querySelectorAll('.card')).map((card) => [card.querySelector('.card-label')?.textContent ?? '', card.querySelector('.card-value')?.textContent ?? ''])),
          5_000,
          'reading the statistics cards',
        );
        return Object.fromEntries(shown.map(([label, value]) => [label, Number(value!.replace(/[^0-9]/g, ''))]));
      };
      let last = '';
      await waitUntil(
        async () => {
          const shown = await cards();
          const tree = { Running: await treeCount('Running'), Failed: await treeCount('Failed'), Completed: await treeCount('Completed') };
          last = JSON.stringify({ statistics: shown, tree });
          return Object.entries(tree).every(([status, n]) => shown[status] === n);
        },
        { timeoutMs: 30_000, intervalMs: 500, what: 'the statistics to agree with the Jobs view' },
      ).catch((cause: unknown) => {
        throw new Error(`the statistics and the Jobs view disagree: ${last}`, { cause });
      });
      await closeAllEditors(page);
    }),
  );
});
