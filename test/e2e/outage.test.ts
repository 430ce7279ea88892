/**
 * Outages in a real editor (code-server + Chromium) against the test's own nats-server: frozen with
 * SIGSTOP (the socket stays open, nothing answers) and killed. The trees (Queues, Workers, Jobs,
 * Failures) keep their last rows, dimmed and marked stale with the time and cause; the failed badge
 * goes; a timeline refresh says at once why it cannot read; the status names a server that stopped
 * answering, not an address or TLS problem; and everything comes back after SIGCONT or a restart.
 * Disconnected on purpose, every view shows its welcome instead. Each step waits for a shown text.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import { closeAllEditors, EditorSession, jobRow, killDescendantsOnExit, openNaqViews, paletteCommand, treeRow, viewPane, waitForStatus, webviewPage } from './fixtures/editorSession';
import { docScreenshot } from './fixtures/screenshots';
import { repoRoot, stopAll, waitForVisible, waitUntil, withTimeout } from './harness';
import { storeRetrying } from './fixtures/storeRetrying';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
const queue = `outage-${run}`;
const failedJob = `job-outage-failed-${run}`;
/** The views that keep their rows during an outage, marked stale. */
const TREES = ['Queues', 'Workers', 'Jobs', 'Failures'] as const;

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;
/** Thaws a frozen server; set while it is frozen, so that a failing scenario does not leave it stopped. */
let thaw: (() => void) | undefined;

function emit(event: JobEvent, timeoutMs = 60_000): Promise<void> {
  return storeRetrying(storage, event, timeoutMs);
}

/** The text of a view's header: its title and description. */
function paneHeader(page: Page, view: string): Locator {
  return viewPane(page, view).locator('.pane-header');
}

/** The message line above a view's tree. */
function paneMessage(page: Page, view: string): Locator {
  return viewPane(page, view).locator('.pane-body .message');
}

async function untilText(locator: Locator, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  let last = '';
  try {
    return await waitUntil(
      async () => {
        last = (await locator.first().textContent({ timeout: 2_000 }).catch(() => null)) ?? '';
        return pattern.test(last) ? last : undefined;
      },
      { timeoutMs, intervalMs: 250, what },
    );
  } catch (error) {
    throw new Error(`${String(error)}; it says ${JSON.stringify(last)}`, { cause: error });
  }
}

/** The NAQ activity-bar item's badge (the Jobs view's failed count), or '' when none shows. */
async function naqBadge(page: Page): Promise<string> {
  const link = page.locator('a.action-label[aria-label="NAQ"], a.action-label[aria-label^="NAQ "]');
  const badge = page.locator('.part.activitybar li.action-item').filter({ has: link }).first().locator('.badge-content');
  if (!(await badge.isVisible().catch(() => false))) return '';
  return ((await badge.textContent({ timeout: 2_000 }).catch(() => '')) ?? '').trim();
}

/** The colour the workbench gives a row's icon, and the theme's colour for disabled text. */
async function iconColours(row: Locator): Promise<{ icon: string; disabled: string }> {
  return withTimeout(
    row.evaluate((element) => {
      const icon = element.querySelector('.custom-view-tree-node-item-icon');
      // Inside the row, where the workbench's colour variables apply.
      const probe = document.createElement('span');
      probe.style.color = 'var(--vscode-disabledForeground)';
      element.append(probe);
      const disabled = getComputedStyle(probe).color;
      probe.remove();
      return { icon: icon ? getComputedStyle(icon).color : '', disabled };
    }),
    5_000,
    'reading the icon colours of a row',
  );
}

/** The timeline's notice line (errors and infos above the events). */
async function timelineNotice(frame: Frame): Promise<string> {
  return withTimeout(frame.evaluate(() => document.querySelector('.notice:not([hidden])')?.textContent ?? ''), 5_000, 'reading the timeline notice');
}

/** The Failures view's row of the failed job's signature, its pane expanded (it starts collapsed). */
async function failureRow(page: Page): Promise<Locator> {
  const header = paneHeader(page, 'Failures');
  await waitForVisible(header, 30_000, 'the Failures view header');
  if ((await header.getAttribute('aria-expanded', { timeout: 10_000 })) === 'false') await header.click({ timeout: 10_000 });
  const row = treeRow(viewPane(page, 'Failures'), 'ValueError: boom');
  await waitForVisible(row.first(), 30_000, 'the failure in the Failures view');
  return row.first();
}

/** Shows the views with the live data this file's scenarios start from: the queue's row, the failure's row and the failed badge. */
async function liveViews(page: Page): Promise<Locator> {
  await openNaqViews(page, 30_000);
  await waitForStatus(page, /^NAQ: connected\b/, 60_000);
  await failureRow(page);
  const row = treeRow(viewPane(page, 'Queues'), queue);
  await waitForVisible(row.first(), 30_000, `queue ${queue} in the Queues view`);
  await waitUntil(async () => (await naqBadge(page)) === '1', { timeoutMs: 30_000, intervalMs: 250, what: 'the failed badge to show 1' });
  return row.first();
}

/** Opens the failed job's timeline from its row in the Jobs view. */
async function openTimeline(page: Page): Promise<Frame> {
  const row = await jobRow(page, 'Failed', failedJob, 30_000);
  await row.click({ timeout: 10_000 });
  return webviewPage(page, 'timeline', (text) => text.includes(failedJob) && text.includes('boom'), 30_000, `the timeline of ${failedJob}`);
}

/** During an outage of `cause`: the stale marking on every tree, dimmed rows, no badge, a timeline refresh refused at once. */
async function assertStale(page: Page, queueRow: Locator, timeline: Frame, cause: RegExp): Promise<void> {
  const stale = new RegExp(`stale since \\d\\d:\\d\\d — ${cause.source}`);
  for (const view of TREES) {
    await untilText(paneHeader(page, view), stale, 60_000, `the ${view} view's description to say it is stale`);
    await untilText(paneMessage(page, view), new RegExp(`^Stale since \\d\\d:\\d\\d — ${cause.source}\\. Showing the last known data`), 10_000, `the ${view} view's message`);
  }
  // The rows stay (no welcome view, no empty tree), with their counts, dimmed.
  assert.ok(await queueRow.isVisible(), 'the queue row is kept during the outage');
  assert.match((await queueRow.textContent()) ?? '', /1 failed/);
  const colours = await iconColours(queueRow);
  assert.equal(colours.icon, colours.disabled, 'the stale row is dimmed');
  const failure = treeRow(viewPane(page, 'Failures'), 'ValueError: boom').first();
  assert.ok(await failure.isVisible(), 'the failure row is kept during the outage');
  await waitUntil(
    async () => {
      const shown = await iconColours(failure);
      return shown.icon === shown.disabled;
    },
    { timeoutMs: 10_000, intervalMs: 250, what: 'the stale failure row to be dimmed' },
  );
  await waitUntil(async () => (await naqBadge(page)) === '', { timeoutMs: 10_000, intervalMs: 250, what: 'the failed badge to be cleared' });

  await timeline.locator('button[title="Read the timeline again"]').click({ timeout: 10_000 });
  const notice = await waitUntil(
    async () => {
      const text = await timelineNotice(timeline).catch(() => '');
      return /Not connected to NATS/.test(text) ? text : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 200, what: 'the timeline refresh to say it is not connected' },
  );
  assert.doesNotMatch(notice, /TIMEOUT|timed out/);
}

/** After the outage: no stale marking, the badge back, new events listed, the timeline read again. */
async function assertRecovered(page: Page, timeline: Frame, sentinel: string): Promise<void> {
  await waitForStatus(page, /^NAQ: connected\b/, 90_000);
  for (const view of TREES) {
    await waitUntil(async () => !/stale since/.test((await paneHeader(page, view).textContent().catch(() => null)) ?? 'stale since'), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `the ${view} view's stale marking to go`,
    });
  }
  await waitUntil(async () => (await naqBadge(page)) === '1', { timeoutMs: 30_000, intervalMs: 250, what: 'the failed badge back' });
  await emit(JobEvents.enqueued(sentinel, queue));
  await jobRow(page, 'Queued', sentinel, 60_000);
  await waitUntil(async () => !/Not connected/.test(await timelineNotice(timeline).catch(() => 'Not connected')), {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: 'the timeline to read again',
  });
}

describe('NAQ during a NATS outage, in a real editor', () => {
  before(
    async () => {
      if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/ is not built: run `npm run build`');
      nats = await NatsServer.start();
      storage = await openStorage(nats);
      await emit(JobEvents.failed(failedJob, `worker-${run}`, { name: 'ValueError', message: 'boom' }, 12, 0, { queue_name: queue }));
      session = await EditorSession.open({
        name: 'NAQ outage',
        extensionPath: repoRoot,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
        extraArtifacts: () => new Map([['nats-server.log', nats.log]]),
      });
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      thaw?.();
      await stopAll([() => session?.close(), () => storage?.close(), () => nats?.dispose()]);
    },
    { timeout: 60_000 },
  );

  test('a frozen server (SIGSTOP): stale trees, no badge, a timeline refresh refused at once, "stopped answering"; all back after SIGCONT', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const queueRow = await liveViews(page);
      const timeline = await openTimeline(page);

      thaw = nats.pause();
      try {
        const label = await waitForStatus(page, /^NAQ: disconnected\b/, 60_000);
        assert.match(label, /stopped answering/);
        assert.doesNotMatch(label, /address|TLS|certificate/);
        await assertStale(page, queueRow, timeline, /NATS not answering/);
        await docScreenshot(page.locator('.part.sidebar'), 'outage-stale-trees');
      } finally {
        thaw();
        thaw = undefined;
      }
      await assertRecovered(page, timeline, `job-after-thaw-${run}`);
      await closeAllEditors(page);
    }),
  );

  test('a killed server: stale trees marked "connection lost", no badge, a timeline refresh refused at once; all back after a restart', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      const queueRow = await liveViews(page);
      const timeline = await openTimeline(page);

      await nats.kill();
      try {
        await waitForStatus(page, /^NAQ: disconnected\b/, 60_000);
        await assertStale(page, queueRow, timeline, /NATS connection lost/);
      } finally {
        await nats.restart();
      }
      await assertRecovered(page, timeline, `job-after-kill-${run}`);
      await closeAllEditors(page);
    }),
  );

  test('disconnected on purpose (no outage): Queues, Workers and Failures show their welcome with Connect instead of rows', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      await liveViews(page);
      await paletteCommand(page, 'NAQ: Disconnect');
      await waitForStatus(page, /^NAQ: disconnected\b/, 30_000);
      // The Jobs view says why in its message instead (see NaqViews.showMessages).
      for (const view of ['Queues', 'Workers', 'Failures']) {
        const welcome = viewPane(page, view).locator('.welcome-view-content').filter({ hasText: 'Not connected to NATS' });
        await waitForVisible(welcome, 15_000, `the ${view} view's welcome`);
        await waitForVisible(welcome.locator('.monaco-button', { hasText: 'Connect' }).first(), 5_000, `the Connect button of the ${view} view's welcome`);
      }
      assert.equal(await treeRow(viewPane(page, 'Failures'), 'ValueError: boom').count(), 0, 'the Failures view still lists failures while disconnected');
      assert.doesNotMatch((await paneHeader(page, 'Failures').textContent()) ?? '', /stale since/, 'a disconnection on purpose is no outage');
      await docScreenshot(page.locator('.part.sidebar'), 'disconnected-welcome');

      await viewPane(page, 'Failures').locator('.welcome-view-content .monaco-button', { hasText: 'Connect' }).first().click({ timeout: 10_000 });
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await failureRow(page);
    }),
  );
});
