/**
 * The product end to end: the extension in a real VS Code (code-server) driven by Chromium, against
 * a real nats-server. One editor is shared by the scenarios (starting one costs 15–25 s); each
 * scenario is its own test, and a failing one leaves test-results/<its name>/screenshot.png and the
 * editor's logs. They run in order and build on the sample jobs stored before the editor starts.
 */
import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { nuid } from 'nats';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { KNOWN_EVENT_TYPES } from '../../server/src/model/eventType';
import { sampleLifecycle } from '../../server/src/model/samples';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import {
  answerInput,
  closeAllEditors,
  EditorSession,
  expandRow,
  globalsSet,
  jobRow,
  killDescendantsOnExit,
  naqStatusItem,
  naqStatusTooltip,
  openFile,
  openNaqViews,
  paletteCommand,
  pickItem,
  treeRow,
  viewPane,
  waitForStatus,
  webviewPage,
} from './fixtures/editorSession';
import { emitSampleJobs, SAMPLE_FAILURE_MESSAGE, SAMPLE_JOBS } from './fixtures/sampleJobs';
import { repoRoot, waitForVisible, waitUntil, withTimeout } from './harness';

killDescendantsOnExit();

const CLI = join(repoRoot, 'dist', 'cli.js');
const run = randomBytes(3).toString('hex');
/** Shown as text, never run: an img whose onerror sets a global, and a script that sets it too. */
const XSS = '<img src=x onerror=window.__pwned=1> <script>window.__pwned=2</script>';

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

/**
 * Stores one event, retrying while the library's connection is still coming back after an outage;
 * the same message id on every attempt, so that the stream drops a retry of one already stored.
 */
async function emit(event: JobEvent, timeoutMs = 20_000): Promise<void> {
  const msgId = nuid.next();
  await waitUntil(
    async () => {
      try {
        await storage.store(event, undefined, msgId);
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs, intervalMs: 500, what: `storing ${event.event_type} of ${event.job_id}` },
  );
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
 * Starts a tail of every failure from the palette (the input box left empty), then proves it is
 * live: failures of probe jobs are published until one shows. The extension shows "Tailing" as soon
 * as it asked the backend, a moment before the backend's consumer exists, so without this an
 * event published in that moment would be missed and the scenario would be flaky.
 */
async function startFailureTail(page: Page): Promise<Frame> {
  await paletteCommand(page, 'NAQ: Tail Subject…');
  await answerInput(page, 'NAQ: Tail Subject', '');
  const started = Date.now();
  const probes: string[] = [];
  await waitUntil(
    async () => {
      const probe = `tail-probe-${run}-${probes.length}`;
      probes.push(probe);
      await emit(failure(probe, 'probe'));
      const frame = await webviewPage(page, 'tail', (text) => probes.some((p) => text.includes(p)), 2_000, 'a probe in the tail').catch(() => undefined);
      return frame ?? false;
    },
    { timeoutMs: 30_000, intervalMs: 0, what: 'the tail to show a probe failure' },
  );
  console.log(`tail live after ${Date.now() - started} ms and ${probes.length} probe(s)`);
  return webviewPage(page, 'tail', (text) => probes.some((p) => text.includes(p)), 5_000, 'the tail page');
}

/**
 * Opens a job's timeline from the palette. A webview that repaints at that moment can close the
 * quick input before it is answered; the whole step is then tried again (opening twice only reveals).
 */
async function openTimelineFromPalette(page: Page, jobId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await paletteCommand(page, 'NAQ: Open Job Timeline…');
      await answerInput(page, 'NAQ: Open Job Timeline', jobId, 8_000);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** The extension's backend processes: `dist/server.js` started over IPC by the language client. */
function backendPids(): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('dist/server.js') && line.includes('--node-ipc'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
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
  // An img's onerror fires once its load has failed: give it the time to.
  await page.waitForTimeout(1_000);
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

describe('NAQ in a real editor', () => {
  before(
    async () => {
      if (!existsSync(join(repoRoot, 'dist', 'extension.js')) || !existsSync(CLI)) throw new Error('dist/ is not built: run `node esbuild.mjs`');
      nats = await NatsServer.start();
      storage = await openStorage(nats);
      await emitSampleJobs(storage);
      session = await EditorSession.open({
        name: 'NAQ in a real editor',
        extensionPath: repoRoot,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
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
});
