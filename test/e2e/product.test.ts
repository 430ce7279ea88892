/**
 * The product end to end: the extension in a real VS Code (code-server) driven by Chromium, against
 * a real nats-server. One editor is shared by the scenarios (starting one costs 15–25 s); each
 * scenario is its own test, and a failing one leaves test-results/<its name>/screenshot.png and the
 * editor's logs. They run in order and build on the sample jobs stored before the editor starts.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { statsOf } from '../../server/src/analytics/jobAnalytics';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { KNOWN_EVENT_TYPES } from '../../server/src/model/eventType';
import { sampleLifecycle } from '../../server/src/model/samples';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import {
  answerDialog,
  answerInput,
  closeAllEditors,
  contextMenuCommand,
  descendantPids,
  EditorSession,
  expandRow,
  globalsSet,
  jobRow,
  killDescendantsOnExit,
  modalDialog,
  naqStatusItem,
  naqStatusTooltip,
  openFile,
  openNaqViews,
  openTimelineFromPalette,
  paletteCommand,
  pickItem,
  setCheckboxSetting,
  treeRow,
  viewPane,
  waitForStatus,
  webviewPage,
} from './fixtures/editorSession';
import { emitSampleJobs, SAMPLE_FAILURE_MESSAGE, SAMPLE_JOBS } from './fixtures/sampleJobs';
import { notification, packagedExtension, repoRoot, waitForVisible, waitUntil, withTimeout } from './harness';
import { storeRetrying } from './fixtures/storeRetrying';

killDescendantsOnExit();

const CLI = join(repoRoot, 'dist', 'cli.js');
const run = randomBytes(3).toString('hex');
/** The description of the failure notifications setting, which finds it in the Settings editor. */
const FAILURES_SETTING = 'Show a notification when jobs fail';
/** Shown as text, never run: an img whose onerror sets a global, and a script that sets it too. */
const XSS = '<img src=x onerror=window.__pwned=1> <script>window.__pwned=2</script>';

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;
/** The editor's XDG_CONFIG_HOME: NATS CLI contexts are read from its nats/context/. */
let configHome: string;
/** A second server, named only by a NATS context (scenario o). */
let contextNats: NatsServer | undefined;

function emit(event: JobEvent, timeoutMs = 20_000): Promise<void> {
  return storeRetrying(storage, event, timeoutMs);
}

/**
 * Closes the library's connection. EventStorage.close() drains, and a drain while the server is down
 * (scenario f failing between stop and restart) leaves the connection reconnecting and the test
 * process alive: close it outright then.
 */
async function closeStorage(): Promise<void> {
  if (!storage) return;
  await storage.close();
  if (!storage.session.nc.isClosed()) await storage.session.nc.close();
}

function failure(jobId: string, message: string, type = 'RuntimeError'): JobEvent {
  return JobEvents.failed(jobId, `worker-${run}`, { name: type, message }, 12, 0, { queue_name: `e2e-${run}` });
}

/** The timeline's event types in list order, read from each row's accessible label ("type, time, …"). */
async function timelineEventTypes(frame: Frame): Promise<string[]> {
  const labels = await withTimeout(
    frame.evaluate(() =>
      Array.from(document.querySelectorAll('[role="option"][aria-posinset]'))
        .map((row) => ({ pos: Number(row.getAttribute('aria-posinset')), label: row.getAttribute('aria-label') ?? '' }))
        .sort((a, b) => a.pos - b.pos)
        .map((row) => row.label),
    ),
    5_000,
    'reading the timeline rows',
  );
  const known = new Set<string>(KNOWN_EVENT_TYPES);
  return labels.map((label) => label.split(',')[0]!.trim()).filter((type) => known.has(type));
}

/**
 * Proves that a tail just started is live: `probe(n)` stores the n-th probe event and returns a text
 * that identifies it, and probes are stored until one shows in the tail. The extension shows
 * "Live" as soon as the backend answered, a moment before the backend's consumer exists, so
 * without this an event published in that moment would be missed and a scenario would be flaky.
 */
async function untilTailIsLive(page: Page, probe: (n: number) => Promise<string>): Promise<Frame> {
  const started = Date.now();
  const probes: string[] = [];
  await waitUntil(
    async () => {
      probes.push(await probe(probes.length));
      const frame = await webviewPage(page, 'tail', (text) => probes.some((p) => text.includes(p)), 2_000, 'a probe in the tail').catch(() => undefined);
      return frame ?? false;
    },
    { timeoutMs: 30_000, intervalMs: 0, what: 'the tail to show a probe' },
  );
  console.log(`tail live after ${Date.now() - started} ms and ${probes.length} probe(s)`);
  return webviewPage(page, 'tail', (text) => probes.some((p) => text.includes(p)), 5_000, 'the tail page');
}

/** Starts a tail of every failure from the palette (the input box left empty), and waits until it is live. */
async function startFailureTail(page: Page): Promise<Frame> {
  await paletteCommand(page, 'NAQ: Tail Subject…');
  await answerInput(page, 'NAQ: Tail Subject', '');
  return untilTailIsLive(page, async (n) => {
    const probe = `tail-probe-${run}-${n}`;
    await emit(failure(probe, 'probe'));
    return probe;
  });
}

/**
 * The extension's backend processes: `dist/server.js` started over IPC by the language client, in
 * this test's editor (other editors on the machine have their own).
 */
function backendPids(): number[] {
  const ours = new Set(descendantPids());
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('dist/server.js') && line.includes('--node-ipc'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => ours.has(pid));
}

async function imgCount(frame: Frame): Promise<number> {
  return withTimeout(
    frame.evaluate(() => document.querySelectorAll('img').length),
    5_000,
    'counting img elements',
  );
}

/** Neither the payload's img nor its script ran anywhere, and no element of it was created. */
async function assertNothingRan(page: Page, frame: Frame, imgsBefore: number, where: string): Promise<void> {
  // An img's onerror runs once its load has failed. An img of our own, made after the payload was
  // shown and failing the same way, is the sign that a payload img's would have run by now.
  await withTimeout(
    frame.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const probe = document.createElement('img');
          probe.addEventListener('error', () => (probe.remove(), resolve()), { once: true });
          probe.src = 'x';
          document.body.append(probe);
        }),
    ),
    10_000,
    "the load of an img of the test's own failing",
  );
  assert.deepEqual(await globalsSet(page, '__pwned'), [], `window.__pwned is set after the payload was shown in the ${where}`);
  const elements = await withTimeout(
    frame.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      payloadImgs: document.querySelectorAll('img[src="x"], img[onerror]').length,
      payloadScripts: Array.from(document.querySelectorAll('script')).filter((s) => s.textContent?.includes('__pwned')).length,
    })),
    5_000,
    'reading the webview elements',
  );
  assert.equal(elements.payloadImgs, 0, `the ${where} created the payload's img`);
  assert.equal(elements.payloadScripts, 0, `the ${where} created the payload's script`);
  assert.equal(elements.imgs, imgsBefore, `the ${where} has ${elements.imgs - imgsBefore} new img element(s)`);
}

/** The stats page as shown: the cards' values by label, the outcome bar's label, each chart's bars. */
interface ShownStats {
  cards: Record<string, string>;
  outcomes: string;
  /** Per chart ("Worker usage", "Queue usage"): label → value shown, and the bar's drawn length as a fraction of its track. */
  charts: Record<string, Record<string, { value: number; length: number }>>;
}

async function shownStats(frame: Frame): Promise<ShownStats> {
  return withTimeout(
    frame.evaluate(() => {
      const cards: Record<string, string> = {};
      for (const card of Array.from(document.querySelectorAll('.card'))) {
        cards[card.querySelector('.card-label')?.textContent ?? ''] = card.querySelector('.card-value')?.textContent ?? '';
      }
      const charts: Record<string, Record<string, { value: number; length: number }>> = {};
      for (const chart of ['Worker usage', 'Queue usage']) {
        charts[chart] = {};
        for (const row of Array.from(document.querySelectorAll(`section[aria-label="${chart}"] .bar-row`))) {
          const track = row.querySelector('.bar-track')!.getBoundingClientRect().width;
          const fill = row.querySelector('.bar-fill')!.getBoundingClientRect().width;
          const value = Number((row.querySelector('.bar-value')?.textContent ?? '').split('·')[0]!.replace(/[^0-9]/g, ''));
          charts[chart][row.querySelector('.bar-label')?.textContent ?? ''] = { value, length: track > 0 ? fill / track : 0 };
        }
      }
      const outcomes = document.querySelector('section[aria-label="Outcomes"] .stacked')?.getAttribute('aria-label') ?? '';
      return { cards, outcomes, charts };
    }),
    5_000,
    'reading the stats page',
  );
}

/** What the stats page should show: the stream's events counted per job, as the CLI counts them. */
async function statsOfTheStream(): Promise<{ cards: Record<string, string>; outcomes: string; workers: Record<string, number>; queues: Record<string, number> }> {
  const { events } = await storage.list();
  const stats = statsOf(events);
  const { jobsStarted: started, jobsRunning: running, jobsCompleted: completed, jobsFailed: failed } = stats;
  const n = (value: number): string => value.toLocaleString('en-US');
  return {
    cards: { Started: n(started), Running: n(running), Completed: n(completed), Failed: n(failed), 'Events seen': n(stats.eventsSeen) },
    outcomes: `${completed} completed, ${failed} failed, ${running} without an outcome yet`,
    workers: stats.workerUsage,
    queues: stats.queueUsage,
  };
}

/** The "N s ago" (or "just now") of a tree row's description, in seconds. */
async function rowAge(row: Locator): Promise<number> {
  const text = await row.innerText({ timeout: 5_000 });
  if (/just now/.test(text)) return 0;
  const seconds = /(\d+) s ago/.exec(text)?.[1];
  assert.ok(seconds !== undefined, `no age in seconds in the row ${JSON.stringify(text)}`);
  return Number(seconds);
}

describe('NAQ in a real editor', () => {
  before(
    async () => {
      const vsix = packagedExtension();
      if (!existsSync(CLI)) throw new Error('dist/cli.js is not built: run `node esbuild.mjs`');
      nats = await NatsServer.start();
      storage = await openStorage(nats);
      await emitSampleJobs(storage);
      configHome = mkdtempSync(join(tmpdir(), 'naq-e2e-config-'));
      session = await EditorSession.open({
        name: 'NAQ in a real editor',
        vsix,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
        env: { XDG_CONFIG_HOME: configHome },
        extraArtifacts: () => new Map([['nats-server.log', nats.log]]),
      });
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      // Each step runs whatever the others do; what fails is reported after all ran.
      const errors: unknown[] = [];
      for (const [what, step] of [
        ['editor', () => session?.close()],
        ['library connection', () => closeStorage()],
        ['nats-server', () => nats?.dispose()],
        ['context nats-server', () => contextNats?.dispose()],
        ['config folder', () => configHome && rmSync(configHome, { recursive: true, force: true })],
      ] as const) {
        const started = Date.now();
        try {
          await withTimeout(Promise.resolve(step()), 40_000, `stopping the ${what}`);
        } catch (error) {
          errors.push(error);
        }
        console.log(`stopped the ${what} in ${Date.now() - started} ms`);
      }
      if (errors.length > 0) throw new AggregateError(errors, 'teardown failed');
    },
    { timeout: 60_000 },
  );

  test('a. the tree shows the queues, workers and jobs of events stored before the editor started', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);

      const queues = viewPane(page, 'Queues');
      const billing = treeRow(queues, 'billing');
      await waitForVisible(billing, 30_000, 'queue "billing"');
      assert.match(await billing.innerText(), /2 jobs · 1 failed/, 'billing holds a failed and a cancelled job');
      for (const queue of new Set(SAMPLE_JOBS.map((j) => j.queue))) await waitForVisible(treeRow(queues, queue), 10_000, `queue "${queue}"`);
      await expandRow(billing);
      const failedGroup = queues.locator('.monaco-list-row[aria-level="2"]').filter({ hasText: 'Failed' });
      await expandRow(failedGroup.first());
      await waitForVisible(treeRow(queues, 'job-sample-failure'), 15_000, 'job-sample-failure under billing → Failed');

      const workers = viewPane(page, 'Workers');
      for (const worker of new Set(SAMPLE_JOBS.map((j) => j.worker))) await waitForVisible(treeRow(workers, worker), 15_000, `worker "${worker}"`);
      await expandRow(treeRow(workers, 'worker-2').first());
      await waitForVisible(treeRow(workers, 'job-sample-cancelled').or(treeRow(workers, 'job-sample-failure')).first(), 15_000, 'a job of worker-2');

      for (const job of SAMPLE_JOBS) {
        const label = job.status.charAt(0).toUpperCase() + job.status.slice(1);
        await jobRow(page, label, job.jobId, 20_000);
      }
    }),
  );

  test('a2. hovering a job id in the sample worker log shows that job from the stream', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openFile(page, 'worker-2.log');
      const line = page.locator('.monaco-editor .view-line').filter({ hasText: 'picked up job job-sample-failure' });
      await waitForVisible(line.first(), 20_000, 'the log line naming job-sample-failure');
      const hover = page.locator('.monaco-editor .monaco-hover:visible, .monaco-hover:visible').filter({ hasText: 'NAQ job' });
      await waitUntil(
        async () => {
          // The id's own rectangle in the line: the whole line is one span in a plain-text file.
          const box = await line.first().evaluate((element, id) => {
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const at = node.textContent?.indexOf(id) ?? -1;
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + id.length);
              const r = range.getBoundingClientRect();
              return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
            }
            return null;
          }, 'job-sample-failure');
          if (!box) return false;
          await page.mouse.move(box.x - 200, box.y + 200);
          await page.mouse.move(box.x, box.y, { steps: 3 });
          return hover
            .first()
            .waitFor({ state: 'visible', timeout: 3_000 })
            .then(
              () => true,
              () => false,
            );
        },
        { timeoutMs: 40_000, intervalMs: 500, what: 'the NAQ hover over job-sample-failure' },
      );
      const text = await hover.first().innerText();
      assert.match(text, /job-sample-failure/);
      assert.match(text, /failed/);
      assert.match(text, new RegExp(SAMPLE_FAILURE_MESSAGE));
      await page.mouse.move(700, 850);
      await closeAllEditors(page);
    }),
  );

  test('b. an event emitted from the command palette (NAQ: Emit Event…) appears in the tree', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-palette-${run}`;
      const queue = `palette-${run}`;
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Emit Event…');
      await answerInput(page, 'NAQ: Emit Event: Job ID', jobId);
      await pickItem(page, `NAQ: Emit Event: Event Type for ${jobId}`, 'enqueued');
      await answerInput(page, 'NAQ: Emit Event: Queue', queue);

      await waitForVisible(treeRow(viewPane(page, 'Queues'), queue), 20_000, `queue "${queue}" in the Queues view`);
      await jobRow(page, 'Queued', jobId, 20_000);
      const stored = await storage.jobEvents(jobId);
      assert.deepEqual(
        stored.events.map((e) => [e.event_type, e.queue_name]),
        [['enqueued', queue]],
        'the stream holds the one event emitted from the palette',
      );
    }),
  );

  test('b2. a sample lifecycle emitted from the command palette (NAQ: Emit Sample Lifecycle…) appears in the tree', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await paletteCommand(page, 'NAQ: Emit Sample Lifecycle…');
      await pickItem(page, 'NAQ: Emit Sample Lifecycle', 'Success');
      await answerInput(page, 'NAQ: Sample Lifecycle Job ID', undefined);
      await answerInput(page, 'NAQ: Sample Lifecycle Queue', undefined);
      // The command says what it stored in the status bar: "NAQ: 4 events for job-1a2b3c (#n–#m)".
      const flash = page.locator('.statusbar-item').filter({ hasText: /NAQ: \d+ events for job-/ });
      await waitForVisible(flash.first(), 20_000, 'the status bar message of the stored lifecycle');
      const jobId = /events for (job-[0-9a-f]+)/.exec(await flash.first().innerText())?.[1];
      assert.ok(jobId, 'the status bar message names the job');
      await jobRow(page, 'Completed', jobId, 20_000);
      const stored = await storage.jobEvents(jobId);
      assert.deepEqual(
        stored.events.map((e) => e.event_type),
        sampleLifecycle('success', { jobId, queue: 'q', worker: 'w', start: 0 }).map((e) => e.event.event_type),
      );
    }),
  );

  test('c. the timeline shows a job’s events in stream order with its failure message', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      const row = await jobRow(page, 'Failed', 'job-sample-failure', 20_000);
      await row.click(); // a job row's command opens its timeline
      const frame = await webviewPage(
        page,
        'timeline',
        (text) => text.includes('job-sample-failure') && text.includes(SAMPLE_FAILURE_MESSAGE),
        30_000,
        'the timeline of job-sample-failure with its failure message',
      );
      const expected = sampleLifecycle('failure-with-retries', { jobId: 'x', queue: 'q', worker: 'w', start: 0 }).map((s) => s.event.event_type);
      let shown: string[] = [];
      await waitUntil(
        async () => {
          shown = await timelineEventTypes(frame);
          return shown.length === expected.length;
        },
        { timeoutMs: 15_000, intervalMs: 300, what: `${expected.length} event rows in the timeline` },
      ).catch(() => undefined);
      assert.deepEqual(shown, expected, 'the timeline lists the events in the order they were stored');
      const text = await frame.evaluate(() => document.body.innerText);
      assert.ok(text.includes(`ConnectionError: ${SAMPLE_FAILURE_MESSAGE}`), 'the failure is shown with its error type and message');
      await closeAllEditors(page);
    }),
  );

  test('d. a tail started from the palette (default: every failure) shows a failure published after it started', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      const tail = await startFailureTail(page);
      const okJob = `job-tail-ok-${run}`;
      const failedJob = `job-tail-failed-${run}`;
      const message = `disk quota exceeded on /data-${run}`;
      await emit(JobEvents.completed(okJob, `worker-${run}`, 10, { queue_name: `e2e-${run}` }));
      await emit(failure(failedJob, message, 'OSError'));
      await webviewPage(page, 'tail', (text) => text.includes(failedJob) && text.includes(message), 20_000, `the failure of ${failedJob} in the tail`);
      const text = await tail.evaluate(() => document.body.innerText);
      assert.ok(!text.includes(okJob), 'a completed event is not a failure: the default tail leaves it out');
      await closeAllEditors(page);
    }),
  );

  test('e. markup in an error message is shown as text in the tail and the timeline, and runs nothing', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-xss-${run}`;
      const tail = await startFailureTail(page);
      const imgsBefore = await imgCount(tail);
      // Through the CLI this time, as a worker's tooling would.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [CLI, 'emit', '--server', nats.url, '--job', jobId, '--type', 'failed', '--worker', `worker-${run}`, '--queue', `e2e-${run}`, '--error-type', 'XssProbe', '--error-message', XSS],
        { timeout: 20_000 },
      );
      assert.match(stdout, /"seq":\d+/);

      await webviewPage(page, 'tail', (text) => text.includes(jobId) && text.includes(XSS), 20_000, 'the payload as text in the tail');
      await assertNothingRan(page, tail, imgsBefore, 'tail');

      await openTimelineFromPalette(page, jobId);
      const timeline = await webviewPage(page, 'timeline', (text) => text.includes(jobId) && text.includes(`XssProbe: ${XSS}`), 30_000, 'the payload as text in the timeline');
      await assertNothingRan(page, timeline, 0, 'timeline');
      await closeAllEditors(page);
    }),
  );

  test('f. a stopped NATS server shows as disconnected, and a restarted one is used again without reloading the window', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await waitForStatus(page, /^NAQ: connected\b/, 30_000);
      // Gone after a reload: proves the window is the same one at the end.
      await page.evaluate(() => ((window as unknown as { __naqE2eWindow: number }).__naqE2eWindow = 1));

      await nats.stop();
      const label = await waitForStatus(page, /^NAQ: disconnected\b/, 30_000);
      assert.match(label, /Lost the connection/);
      await waitForVisible(naqStatusItem(page).locator('.codicon-debug-disconnect'), 10_000, 'the disconnected icon in the status bar');
      // The tooltip is Markdown from appendText, which turns spaces into &nbsp;.
      const tooltip = (await naqStatusTooltip(page, 20_000)).replace(/\s+/g, ' ');
      assert.match(tooltip, /disconnected/);
      assert.match(tooltip, /Lost the connection/);
      await page.mouse.move(700, 400);

      await nats.restart();
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      const jobId = `job-after-restart-${run}`;
      const queue = `after-restart-${run}`;
      await emit(JobEvents.enqueued(jobId, queue));
      await waitForVisible(treeRow(viewPane(page, 'Queues'), queue), 30_000, `queue "${queue}" stored after the restart`);
      await jobRow(page, 'Queued', jobId, 30_000);
      assert.equal(await page.evaluate(() => (window as unknown as { __naqE2eWindow?: number }).__naqE2eWindow), 1, 'the window was reloaded');
    }),
  );

  test('g. the backend process killed: the extension starts it again and the views recover', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await waitForStatus(page, /^NAQ: connected\b/, 30_000);
      const [before, ...others] = backendPids();
      assert.ok(before !== undefined && others.length === 0, `one backend process runs (found ${[before, ...others].join(', ')})`);
      process.kill(before, 'SIGKILL');
      const after = await waitUntil(() => backendPids().find((pid) => pid !== before), { timeoutMs: 60_000, what: 'a new backend process' });
      assert.notEqual(after, before);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      const jobId = `job-after-backend-crash-${run}`;
      const queue = `after-crash-${run}`;
      await emit(JobEvents.enqueued(jobId, queue));
      await waitForVisible(treeRow(viewPane(page, 'Queues'), queue), 30_000, `queue "${queue}" stored after the backend restarted`);
      await jobRow(page, 'Queued', jobId, 30_000);
    }),
  );

  test('h. the statistics page (NAQ: Show Statistics) shows the totals, outcomes and per-worker and per-queue bars of the stream, and follows new events', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      const worker = `stats-worker-${run}`;
      const queue = `stats-queue-${run}`;
      const startJob = async (i: number): Promise<void> => {
        await emit(JobEvents.enqueued(`job-stats-${run}-${i}`, queue));
        await emit(JobEvents.started(`job-stats-${run}-${i}`, worker, 'e2e', { queue_name: queue }));
      };
      for (let i = 0; i < 3; i++) await startJob(i);
      await paletteCommand(page, 'NAQ: Show Statistics');
      const frame = await webviewPage(page, 'stats', (text) => text.includes(worker) && text.includes(queue), 30_000, `the stats page with ${worker} and ${queue}`);

      /** Waits until the page shows what the stream holds (it follows the index every few seconds), then compares. */
      const assertShowsTheStream = async (): Promise<ShownStats> => {
        const expected = await statsOfTheStream();
        assert.ok(Object.keys(expected.workers).length <= 20 && Object.keys(expected.queues).length <= 20, 'more bars than the page shows by default');
        const summary = (shown: ShownStats) => ({
          cards: Object.fromEntries(Object.keys(expected.cards).map((label) => [label, shown.cards[label]])),
          outcomes: shown.outcomes,
          workers: Object.fromEntries(Object.entries(shown.charts['Worker usage']!).map(([label, bar]) => [label, bar.value])),
          queues: Object.fromEntries(Object.entries(shown.charts['Queue usage']!).map(([label, bar]) => [label, bar.value])),
        });
        let shown = await shownStats(frame);
        await waitUntil(
          async () => {
            shown = await shownStats(frame);
            return isDeepStrictEqual(summary(shown), expected);
          },
          { timeoutMs: 20_000, intervalMs: 500, what: 'the stats page to show the stream' },
        ).catch(() => undefined);
        assert.deepEqual(summary(shown), expected, 'the stats page shows the numbers of the stored events');
        // Each bar is drawn as long as its value is against the chart's largest.
        for (const [chart, bars] of Object.entries(shown.charts)) {
          const max = Math.max(...Object.values(bars).map((b) => b.value));
          for (const [label, bar] of Object.entries(bars)) {
            assert.ok(Math.abs(bar.length - Math.max(bar.value / max, 0.005)) < 0.02, `${chart}: the bar of ${label} (${bar.value} of ${max}) is drawn ${Math.round(bar.length * 100)}% long`);
          }
        }
        return shown;
      };

      assert.equal((await assertShowsTheStream()).charts['Worker usage']![worker]!.value, 3);
      await startJob(3);
      assert.equal((await assertShowsTheStream()).charts['Worker usage']![worker]!.value, 4, 'the open page follows new events');
      await closeAllEditors(page);
    }),
  );

  test('i. "Copy Job ID" in a job row’s context menu puts the job id on the clipboard', { timeout: 60_000 }, (t) =>
    session.scenario(t, async (page) => {
      await session.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.server.url });
      await openNaqViews(page);
      await contextMenuCommand(page, await jobRow(page, 'Failed', 'job-sample-failure', 20_000), 'Copy Job ID');
      let clipboard = '';
      await waitUntil(
        async () => {
          clipboard = await page.evaluate(() => navigator.clipboard.readText());
          return clipboard === 'job-sample-failure';
        },
        { timeoutMs: 10_000, intervalMs: 200, what: 'the job id on the clipboard' },
      ).catch(() => undefined);
      assert.equal(clipboard, 'job-sample-failure', 'the clipboard holds the job id');
      await waitForVisible(page.locator('.statusbar-item').filter({ hasText: 'Copied job-sample-failure' }).first(), 5_000, 'the status bar confirmation');
    }),
  );

  test('j. "Tail This Job" and "Emit Event for This Job…" from a job row: the tail shows the emitted event and only that job’s; NAQ: Stop Tail stops it', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-row-${run}`;
      const otherJob = `job-row-other-${run}`;
      const queue = `row-${run}`;
      const worker = `worker-row-${run}`;
      await emit(JobEvents.enqueued(jobId, queue));
      await openNaqViews(page);

      await contextMenuCommand(page, await jobRow(page, 'Queued', jobId, 20_000), 'Tail This Job');
      await untilTailIsLive(page, async (n) => {
        const probe = `probe ${n} of ${jobId}`;
        await emit(JobEvents.enqueued(jobId, queue, 0, { message: probe }));
        return probe;
      });
      const otherMarker = `another job ${run}`;
      await emit(JobEvents.enqueued(otherJob, queue, 0, { message: otherMarker }));

      await contextMenuCommand(page, await jobRow(page, 'Queued', jobId, 20_000), 'Emit Event for This Job…');
      await pickItem(page, `NAQ: Emit Event: Event Type for ${jobId}`, 'started');
      await answerInput(page, 'NAQ: Emit Event: Worker', worker);
      const tail = await webviewPage(page, 'tail', (text) => text.includes(worker), 20_000, `the started event by ${worker} in the tail of ${jobId}`);
      const text = await tail.evaluate(() => document.body.innerText);
      assert.match(text, new RegExp(`Live: \\S*${jobId}`), 'the tail says what it follows');
      assert.ok(!text.includes(otherMarker), 'the tail of one job shows an event of another');
      const last = (await storage.jobEvents(jobId)).events.at(-1);
      assert.deepEqual([last?.event_type, last?.worker_id, last?.queue_name], ['started', worker, queue], 'the stream holds the emitted event, with the job’s queue');
      await jobRow(page, 'Running', jobId, 20_000);

      await paletteCommand(page, 'NAQ: Stop Tail');
      const stopped = await webviewPage(page, 'tail', (content) => content.includes(`Stopped: `), 15_000, 'the tail stopped');
      const afterStop = `after the stop ${run}`;
      await emit(JobEvents.completed(jobId, worker, 5, { queue_name: queue, message: afterStop }));
      // Stored and seen by the extension (the tree moves the job), with a moment more for a tail.
      await jobRow(page, 'Completed', jobId, 20_000);
      await page.waitForTimeout(1_000);
      assert.ok(!(await stopped.evaluate(() => document.body.innerText)).includes(afterStop), 'a stopped tail still shows new events');
      await closeAllEditors(page);
    }),
  );

  test('k. "Delete Job Events…" from a job row asks first: cancelled, the events stay; confirmed, the job leaves the tree and the stream', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-delete-${run}`;
      await emit(JobEvents.enqueued(jobId, `delete-${run}`));
      await emit(JobEvents.started(jobId, `worker-${run}`, 'e2e', { queue_name: `delete-${run}` }));
      await openNaqViews(page);

      await contextMenuCommand(page, await jobRow(page, 'Running', jobId, 20_000), 'Delete Job Events…');
      const question = (await (await modalDialog(page)).innerText()).replace(/\s+/g, ' ');
      assert.match(question, new RegExp(`Delete the 2 events of job "${jobId}"\\?`));
      assert.match(question, /cannot be undone/);
      await answerDialog(page, 'Cancel');
      assert.equal(await storage.count({ jobId }), 2, 'cancelling deleted events');

      // The backend deletes in the order it is asked: a deletion after Cancel that finds both events
      // is what shows that Cancel deleted none.
      await contextMenuCommand(page, await jobRow(page, 'Running', jobId, 20_000), 'Delete Job Events…');
      await answerDialog(page, 'Delete Events');
      await waitForVisible(page.locator('.statusbar-item').filter({ hasText: `deleted 2 events of ${jobId}` }).first(), 15_000, 'the status bar confirmation');
      const jobs = viewPane(page, 'Jobs');
      await waitUntil(async () => (await treeRow(jobs, jobId).count()) === 0, { timeoutMs: 15_000, intervalMs: 200, what: `${jobId} to leave the Jobs view` });
      assert.equal(await storage.count({ jobId }), 0, 'the stream still holds events of the deleted job');
    }),
  );

  test('l. failure notifications: off (the default), a failure published by another client shows none; on, one naming the job, whose button opens its timeline', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      const quiet = `job-quiet-failure-${run}`;
      await emit(failure(quiet, 'nobody is told'));
      // The tree and the notifier learn of it from the same notification; the notifier acts on it as it
      // comes, the tree within a second, and the editor's window gets their updates in that order.
      // A failure held back instead would make the toast below tell two failures, not one.
      await jobRow(page, 'Failed', quiet, 20_000);
      assert.equal(await notification(page, quiet).count(), 0, 'a notification with failure notifications off');

      await setCheckboxSetting(page, 'naq.notifications.failures', FAILURES_SETTING, true);
      try {
        // The extension host learns of the change a moment later: failures go out until one is told.
        const loud: string[] = [];
        const message = `worker lost ${run}`;
        const started = Date.now();
        const toast = await waitUntil(
          async () => {
            loud.push(`job-loud-failure-${run}-${loud.length}`);
            await emit(failure(loud.at(-1)!, message, 'WorkerLost'));
            // A toast of one failure; failures within seconds of it would be told together in a later one.
            const single = new RegExp(`^NAQ: job job-loud-failure-${run}-\\d+ failed — WorkerLost: ${message}$`);
            const shown = page.locator('.notification-toast').filter({ has: page.locator('.notification-list-item-message', { hasText: single }) });
            return shown.first().waitFor({ state: 'visible', timeout: 3_000 }).then(
              () => shown.first(),
              () => false as const,
            );
          },
          { timeoutMs: 30_000, intervalMs: 0, what: 'a failure notification' },
        );
        console.log(`notification shown after ${Date.now() - started} ms and ${loud.length} failure(s)`);
        assert.equal(await notification(page, quiet).count(), 0, 'a notification of the failure published while they were off');
        const text = await toast.locator('.notification-list-item-message').innerText();
        const told = loud.find((jobId) => text.includes(jobId));
        assert.ok(told, `the notification names none of the failed jobs: ${text}`);
        assert.equal(text, `NAQ: job ${told} failed — WorkerLost: ${message}`);
        await toast.locator('.monaco-button').filter({ hasText: 'Open Timeline' }).click();
        await webviewPage(page, 'timeline', (content) => content.includes(told) && content.includes(message), 30_000, `the timeline of ${told}`);
        await closeAllEditors(page);
      } finally {
        await setCheckboxSetting(page, 'naq.notifications.failures', FAILURES_SETTING, false);
      }
      await paletteCommand(page, 'Notifications: Clear All Notifications');
    }),
  );

  test('m. NAQ: Refresh redraws the trees from the backend', { timeout: 60_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-refresh-${run}`;
      await emit(JobEvents.enqueued(jobId, `refresh-${run}`));
      await openNaqViews(page);
      const before = await rowAge(await jobRow(page, 'Queued', jobId, 20_000));
      // A row says how long ago its job's last event was, as of when it was drawn.
      await page.waitForTimeout(3_000);
      assert.equal(await rowAge(await jobRow(page, 'Queued', jobId, 5_000)), before, 'the row was redrawn without a refresh');
      await paletteCommand(page, 'NAQ: Refresh');
      await waitUntil(async () => (await rowAge(await jobRow(page, 'Queued', jobId, 5_000))) >= before + 3, {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: `the row of ${jobId} redrawn with its age now`,
      });
    }),
  );

  test('n. NAQ: Disconnect from the palette empties the views and says so; NAQ: Connect brings them back', { timeout: 90_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page);
      await waitForStatus(page, /^NAQ: connected\b/, 30_000);
      const queues = viewPane(page, 'Queues');
      await waitForVisible(treeRow(queues, 'billing'), 20_000, 'queue "billing"');

      await paletteCommand(page, 'NAQ: Disconnect');
      await waitForStatus(page, /^NAQ: disconnected\b/, 20_000);
      await waitForVisible(queues.locator('.welcome-view-content').filter({ hasText: 'Not connected to NATS.' }), 15_000, 'the Queues view’s welcome with Connect');
      assert.equal(await treeRow(queues, 'billing').count(), 0, 'the Queues view still lists queues while disconnected');

      await paletteCommand(page, 'NAQ: Connect');
      await waitForStatus(page, /^NAQ: connected\b/, 30_000);
      await waitForVisible(treeRow(queues, 'billing'), 20_000, 'queue "billing" after connecting again');
    }),
  );

  // Last: it moves the editor to another server.
  test('o. a NATS context chosen with NAQ: Choose NATS Context… connects the extension to the server it names', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      contextNats = await NatsServer.start();
      const jobId = `job-context-${run}`;
      const queue = `context-${run}`;
      const other = await openStorage(contextNats);
      try {
        await other.store(JobEvents.enqueued(jobId, queue));
      } finally {
        await other.close();
      }
      const name = `naq-e2e-${run}`;
      mkdirSync(join(configHome, 'nats', 'context'), { recursive: true });
      writeFileSync(join(configHome, 'nats', 'context', `${name}.json`), JSON.stringify({ description: 'the e2e context', url: contextNats.url }));

      await openNaqViews(page);
      const queues = viewPane(page, 'Queues');
      await waitForVisible(treeRow(queues, 'billing'), 20_000, 'queue "billing" of the first server');
      await paletteCommand(page, 'NAQ: Choose NATS Context…');
      await pickItem(page, 'NAQ: Choose NATS Context', name);
      // The session's "naq.serverUrl" would win over the context's URL: the command asks which to use.
      const question = (await (await modalDialog(page)).innerText()).replace(/\s+/g, ' ');
      assert.match(question, new RegExp(`"naq.serverUrl" \\(${nats.url}\\) takes precedence over the server of context "${name}" \\(${contextNats.url}\\)`));
      await answerDialog(page, "Use the Context's Server");

      await waitForVisible(treeRow(queues, queue), 60_000, `queue "${queue}", only on the context's server`);
      await waitUntil(async () => (await treeRow(queues, 'billing').count()) === 0, { timeoutMs: 15_000, intervalMs: 200, what: 'the first server’s queues to go' });
      await waitForStatus(page, /^NAQ: connected\b/, 30_000);
      assert.ok((await naqStatusTooltip(page, 20_000)).includes(new URL(contextNats.url).host), 'the status names the context’s server');
    }),
  );
});
