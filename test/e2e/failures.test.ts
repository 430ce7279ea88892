/**
 * Failures in a real editor (code-server + Chromium, the packaged .vsix, a real nats-server): failed jobs whose
 * traceback (made by running a Python program with /usr/bin/python3) points into a workspace file show in the
 * Problems panel on the raising line and as one group in the Failures view; Go to Raise Site, and the frame link
 * in the timeline (by keyboard), open the file there; the CodeLens above the failing function opens its latest
 * failure's timeline; 100 failures of three kinds make three rows; a failed job's entry in NAQ's naq_failed_jobs
 * stream (pickled by the real Python) shows the call it ran in its timeline. Each step waits for a shown text.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'nats';
import { FAILED_JOBS_STREAM } from '../../server/src/failures/failedJobsStream';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import { closeAllEditors, contextMenuCommand, EditorSession, killDescendantsOnExit, openFile, openNaqViews, openTimelineFromPalette, paletteCommand, treeRow, viewPane, waitForStatus, webviewPage } from './fixtures/editorSession';
import { docScreenshot } from './fixtures/screenshots';
import { repoRoot, stopAll, waitForVisible, waitUntil } from './harness';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
/** Line 4 raises; the worker ran it from its own folder, as a container would (`/…/app/tasks.py`). */
const TASKS_PY = ['import json', '', 'def charge(payload):', '    amount = int(payload["amount"])', '    return json.dumps({"amount": amount})', '', 'charge({"amount": "12x"})', ''].join('\n');

/** The real traceback of running tasks.py in a worker's folder. */
function realTraceback(): string {
  const worker = mkdtempSync(join(tmpdir(), 'naq-e2e-worker-'));
  try {
    mkdirSync(join(worker, 'app'));
    writeFileSync(join(worker, 'app', 'tasks.py'), TASKS_PY);
    try {
      execFileSync('/usr/bin/python3', [join(worker, 'app', 'tasks.py')], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      return String((error as { stderr: Buffer }).stderr);
    }
    throw new Error('tasks.py did not fail');
  } finally {
    rmSync(worker, { recursive: true, force: true });
  }
}

/** Three failing job functions: a refund past its window, a missing field, a split into no parts. */
const BILLING_PY = [
  'def refund(order_id):',
  '    raise ValueError(f"refund window closed for order {order_id}")',
  '',
  'def capture(order, field):',
  '    return order[field]',
  '',
  'def settle(amount, parts):',
  '    return amount / parts',
  '',
].join('\n');

/**
 * Runs billing.py's functions `counts` times each (refund, capture, settle) with varying arguments, so that each
 * kind's messages differ in their ids and keys as real ones do, and prints each failure as JSON.
 */
const RUN_BILLING_PY = `
import json, sys, traceback
sys.path.insert(0, sys.argv[1])
import billing

calls = [lambda n: billing.refund(1000 + n), lambda n: billing.capture({"order_id": n}, "fx-%d" % n), lambda n: billing.settle(n, 0)]
failures = []
for kind, count in enumerate(json.loads(sys.argv[2])):
    for n in range(count):
        try:
            calls[kind](n)
        except Exception as error:
            failures.append({"name": type(error).__name__, "message": str(error), "stack": traceback.format_exc()})
print(json.dumps(failures))
`;

/** The real failures of running billing.py's three functions, `counts` of each, in a worker's folder. */
function realBillingFailures(counts: readonly number[]): { name: string; message: string; stack: string }[] {
  const worker = mkdtempSync(join(tmpdir(), 'naq-e2e-worker-'));
  try {
    mkdirSync(join(worker, 'app'));
    writeFileSync(join(worker, 'app', 'billing.py'), BILLING_PY);
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', RUN_BILLING_PY, join(worker, 'app'), JSON.stringify(counts)], { encoding: 'utf8', timeout: 30_000 })) as { name: string; message: string; stack: string }[];
  } finally {
    rmSync(worker, { recursive: true, force: true });
  }
}

/**
 * A job function run by the real Python and failing, recorded as NAQ's worker records it in `naq_failed_jobs`:
 * the pickled dict of its name, the repr of its arguments (the args' longer than the timeline's preview), the
 * error and the traceback. Written to stdout.
 */
const FAILED_JOB_PY = `
import pickle, sys, time, traceback

def refund(order, *, reason):
    return int(order["amount"])

args = ({"order_id": "A-1042", "amount": "12x", "lines": [{"sku": "SKU-%04d" % i, "qty": i} for i in range(40)]},)
kwargs = {"reason": "duplicate"}
try:
    refund(*args, **kwargs)
except Exception as error:
    entry = {"job_id": sys.argv[1], "enqueue_time": time.time(), "function_str": refund.__name__, "args_repr": repr(args),
             "kwargs_repr": repr(kwargs), "max_retries": 0, "retry_delay": 0, "queue_name": "billing", "error": str(error),
             "traceback": traceback.format_exc()}
    sys.stdout.buffer.write(pickle.dumps(entry, protocol=5))
`;

/** NAQ's failed-jobs entry for `jobId`, pickled by /usr/bin/python3. */
function pickledFailedJob(jobId: string): Buffer {
  return execFileSync('/usr/bin/python3', ['-c', FAILED_JOB_PY, jobId], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

describe('NAQ failures in a real editor', () => {
  before(
    async () => {
      if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/ is not built: run `npm run build`');
      nats = await NatsServer.start();
      storage = await openStorage(nats);
      // NAQ's failed-jobs stream, as a NAQ worker creates it, before the backend first looks for it.
      const nc = await connect({ servers: nats.url, timeout: 10_000 });
      try {
        await (await nc.jetstreamManager()).streams.add({ name: FAILED_JOBS_STREAM, subjects: ['naq.failed.*'] });
      } finally {
        await nc.close();
      }
      session = await EditorSession.open({
        name: 'NAQ failures',
        extensionPath: repoRoot,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
        extraArtifacts: () => new Map([['nats-server.log', nats.log]]),
      });
      mkdirSync(join(session.workspace, 'app'), { recursive: true });
      writeFileSync(join(session.workspace, 'app', 'tasks.py'), TASKS_PY);
      writeFileSync(join(session.workspace, 'app', 'billing.py'), BILLING_PY);
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      await stopAll([() => session?.close(), () => storage?.close(), () => nats?.dispose()]);
    },
    { timeout: 60_000 },
  );

  test('a failed job lands in Problems on the raising line, groups in the Failures view; Go to Raise Site and the timeline\'s frame link open the line', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const traceback = realTraceback();
      assert.match(traceback, /app\/tasks\.py", line 4, in charge/);
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      const error = { name: 'ValueError', message: "invalid literal for int() with base 10: '12x'", stack: traceback };
      for (const n of [1, 2, 3]) await storage.store(JobEvents.failed(`fail-${run}-${n}`, 'worker-1', error, 12, 0, { queue_name: 'billing' }));

      const failures = viewPane(page, 'Failures');
      const header = failures.locator('.pane-header');
      await waitForVisible(header, 30_000, 'the Failures view header');
      if ((await header.getAttribute('aria-expanded', { timeout: 10_000 })) === 'false') await header.click({ timeout: 10_000 });
      const group = treeRow(failures, 'ValueError: invalid literal');
      await waitUntil(async () => /×3/.test(await group.first().innerText().catch(() => '')), { timeoutMs: 60_000, intervalMs: 250, what: 'the Failures view to group the 3 failures' });
      assert.equal(await group.count(), 1, 'one row for one signature');
      await docScreenshot(page.locator('.part.sidebar'), 'failures-view');

      await paletteCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
      const problem = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'ValueError ×3' });
      await waitForVisible(problem.first(), 60_000, 'the diagnostic in the Problems panel');
      assert.match(await problem.first().innerText(), /Ln 4/);

      await contextMenuCommand(page, group.first(), 'Go to Raise Site');
      await waitForVisible(page.locator('.tabs-container .tab.active', { hasText: 'tasks.py' }), 30_000, 'tasks.py opened');
      const selection = page.locator('[id="status.editor.selection"]');
      await waitUntil(async () => /^Ln 4, Col \d+/.test(await selection.innerText().catch(() => '')), { timeoutMs: 30_000, intervalMs: 250, what: 'the cursor on line 4' });
      await closeAllEditors(page);

      await contextMenuCommand(page, group.first(), 'Open Failure Timeline');
      const timeline = await webviewPage(page, 'timeline', (text) => text.includes(`fail-${run}-3`) && /failed/i.test(text), 60_000, 'the timeline of the newest failure');
      await timeline.locator('.ev', { hasText: /failed/i }).first().click({ timeout: 10_000 });
      const frameLink = timeline.locator('a.traceback-frame', { hasText: 'tasks.py", line 4' }).first();
      await waitForVisible(frameLink, 30_000, 'the linked frame of tasks.py in the timeline');
      await docScreenshot(page.locator('.part.editor'), 'timeline-traceback-links');
      await frameLink.focus({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await waitForVisible(page.locator('.tabs-container .tab.active', { hasText: 'tasks.py' }), 30_000, 'tasks.py opened from the timeline');
      await waitUntil(async () => /^Ln 4, Col \d+/.test(await selection.innerText().catch(() => '')), { timeoutMs: 30_000, intervalMs: 250, what: 'the cursor on line 4 from the frame link' });
    }),
  );

  test('the CodeLens above a failing function opens the timeline of its latest failure', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `lens-${run}`;
      const error = { name: 'ValueError', message: "invalid literal for int() with base 10: '12x'", stack: realTraceback() };
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await storage.store(JobEvents.failed(jobId, 'worker-1', error, 12, 0, { queue_name: 'billing' }));

      await openFile(page, 'tasks.py', 30_000);
      // The lens sits on the `def` line of the function that raised (line 3), above the raising line.
      const lens = page.locator('.part.editor .codelens-decoration a', { hasText: /✗ \d+ failures? · 1 signature · open latest/ });
      await waitForVisible(lens.first(), 60_000, 'the failures CodeLens above charge() in tasks.py');
      await lens.first().click({ timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(jobId) && /failed/i.test(text), 60_000, `the timeline of ${jobId} from the CodeLens`);
      await closeAllEditors(page);
    }),
  );

  test('100 failures of 3 kinds show as 3 rows of the Failures view, ×50, ×30 and ×20', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const counts = [50, 30, 20];
      const failed = realBillingFailures(counts);
      assert.equal(failed.length, 100);
      assert.equal(new Set(failed.map((failure) => failure.message)).size, 50 + 30 + 1, 'refund and capture messages each differ by order id and field');
      assert.match(failed[0].stack, /app\/billing\.py", line 2, in refund/);
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      // Its own queue, shown in each row's description, keeps the other tests' failures out of the rows counted.
      const queue = `bulk-${run}`;
      for (const [n, error] of failed.entries()) await storage.store(JobEvents.failed(`bulk-${run}-${n}`, 'worker-1', error, 12, 0, { queue_name: queue }));

      const failures = viewPane(page, 'Failures');
      const header = failures.locator('.pane-header');
      await waitForVisible(header, 30_000, 'the Failures view header');
      if ((await header.getAttribute('aria-expanded', { timeout: 10_000 })) === 'false') await header.click({ timeout: 10_000 });
      const rows = treeRow(failures, queue);
      const expected = ['ValueError: refund window closed for order <n> ×50', 'KeyError: <str> ×30', 'ZeroDivisionError: division by zero ×20'];
      const shown = async (): Promise<string[]> => (await rows.allInnerTexts().catch(() => [])).map((text) => text.replace(/\s+/g, ' ').replace(/ · .*$/, '').replace(/\s*×/, ' ×').trim()).sort();
      let last: string[] = [];
      await waitUntil(async () => (last = await shown()).join('\n') === [...expected].sort().join('\n'), { timeoutMs: 60_000, intervalMs: 250, what: `3 rows ${expected.join(', ')} in the Failures view` }).catch((error: Error) => {
        throw new Error(`${error.message}; the rows of ${queue} shown: ${last.join(' | ')}`);
      });
      await docScreenshot(page.locator('.part.sidebar'), 'failures-view-three-kinds');
    }),
  );

  test('the timeline of a failed job shows the call from naq_failed_jobs: the function and its argument reprs, a long one cut with Show all', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `call-${run}`;
      const nc = await connect({ servers: nats.url, timeout: 10_000 });
      try {
        await nc.jetstream().publish('naq.failed.billing', pickledFailedJob(jobId), { timeout: 10_000 });
      } finally {
        await nc.close();
      }
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await storage.store(JobEvents.failed(jobId, 'worker-1', { name: 'ValueError', message: "invalid literal for int() with base 10: '12x'" }, 12, 0, { queue_name: 'billing' }));

      await openTimelineFromPalette(page, jobId);
      const timeline = await webviewPage(page, 'timeline', (text) => text.includes(jobId) && /failed/i.test(text), 60_000, `the timeline of ${jobId}`);
      const call = timeline.locator('.call-facts');
      await waitForVisible(call, 60_000, 'the failed call under the timeline header');
      const facts = await call.innerText({ timeout: 10_000 });
      assert.match(facts, /Function\s+refund\b/);
      assert.match(facts, /kwargs\s+\{'reason': 'duplicate'\}/);
      const args = call.locator('.fact', { has: timeline.locator('dt', { hasText: /^args$/ }) }).locator('code.repr');
      const preview = await args.innerText({ timeout: 10_000 });
      assert.ok(preview.startsWith("({'order_id': 'A-1042', 'amount': '12x', 'lines': [{'sku': 'SKU-0000', 'qty': 0}"), `the args repr: ${preview}`);
      assert.ok(preview.endsWith('…') && !preview.includes('SKU-0039'), `the long args repr cut to a preview: ${preview}`);

      const showAll = call.getByRole('button', { name: /^Show all of args/ });
      await showAll.click({ timeout: 10_000 });
      await waitUntil(async () => (await args.innerText().catch(() => '')).endsWith("{'sku': 'SKU-0039', 'qty': 39}]},)"), { timeoutMs: 10_000, intervalMs: 100, what: 'the whole args repr after Show all' });
      assert.equal(await showAll.getAttribute('aria-expanded'), 'true');
      assert.equal((await showAll.innerText()).trim(), 'Show less');
    }),
  );
});
