/**
 * Tails in a real editor (code-server + Chromium, a real nats-server): two tails side by side, each
 * with only its own events; a long line expanded with Space and collapsed again; the date on the
 * first line of each day; Enter and a click opening the job's timeline in another editor group while
 * the tail stays in view and live. Each scenario tails the subjects of its own jobs and waits for
 * their lines or a shown state, never for time. With NAQ_SCREENSHOTS=1 they save pictures of what
 * they show to docs/screenshots/ (for docs/daily-use.md).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { formatClock } from '../../server/src/shared/time';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import type { NatsServer } from '../support/natsServer';
import { answerInput, closeAllEditors, EditorSession, killDescendantsOnExit, openNaqViews, paletteCommand, waitForStatus, webviewPage } from './fixtures/editorSession';
import { closeNaqEditor, openNaqEditor } from './fixtures/naqEditor';
import { docScreenshot } from './fixtures/screenshots';
import { storeRetrying } from './fixtures/storeRetrying';
import { waitUntil, withTimeout } from './harness';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
const PREFIX = 'naq.jobs.events';
const QUEUE = `tails-${run}`;

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

function emit(event: JobEvent, timeoutMs = 30_000): Promise<void> {
  return storeRetrying(storage, event, timeoutMs);
}

/** The pattern of every event of one job. */
function jobPattern(jobId: string): string {
  return `${PREFIX}.${jobId}.>`;
}

/** Starts a tail of `pattern` from the palette and returns its page once the header says live. */
async function startTail(page: Page, pattern: string): Promise<Frame> {
  await paletteCommand(page, 'NAQ: Tail Subject…');
  await answerInput(page, 'NAQ: Tail Subject', pattern);
  return webviewPage(page, 'tail', (text) => text.includes(`Live: ${pattern}`), 30_000, `the live tail of ${pattern}`);
}

/** What one tail page shows: its header and the text of each line, in order. */
interface TailShown {
  header: string;
  lines: string[];
}

function readTail(frame: Frame): Promise<TailShown> {
  return withTimeout(
    frame.evaluate(() => ({
      header: document.querySelector('.tail-status')?.textContent ?? '',
      lines: Array.from(document.querySelectorAll('.tail-list .vrow')).map((row) => row.textContent ?? ''),
    })),
    5_000,
    'reading a tail page',
  );
}

/** Waits until the tail shows `count` lines of `jobId` (as many or more); returns what it shows then. */
async function untilLines(frame: Frame, jobId: string, count: number, timeoutMs = 30_000): Promise<TailShown> {
  let last: TailShown | undefined;
  try {
    return await waitUntil(
      async () => {
        last = await readTail(frame).catch(() => undefined);
        return last !== undefined && last.lines.filter((line) => line.includes(jobId)).length >= count ? last : undefined;
      },
      { timeoutMs, intervalMs: 200, what: `${count} line(s) of ${jobId} in the tail` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; the tail shows ${JSON.stringify(last)}`, { cause: error });
  }
}

/** Saves a picture of the editor area, the pointer moved off the tabs (their tooltips would show). */
async function shootEditors(page: Page, name: string): Promise<void> {
  const editors = page.locator('.part.editor');
  const box = await editors.boundingBox({ timeout: 5_000 });
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height - 60);
  await docScreenshot(editors, name);
}

/** The width of each line's message in a tail page, and what ten characters take there. */
function messageWidths(frame: Frame): Promise<{ message: number; tenCh: number }[]> {
  return withTimeout(
    frame.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.tail-list .tl-message')).map((message) => {
        const probe = document.createElement('span');
        probe.style.cssText = 'position:absolute;visibility:hidden;width:10ch';
        message.appendChild(probe);
        const tenCh = probe.getBoundingClientRect().width;
        probe.remove();
        return { message: message.getBoundingClientRect().width, tenCh };
      }),
    ),
    5_000,
    'measuring the messages of a tail',
  );
}

/**
 * The index of the editor group whose active (shown) tab's title contains `title`, or -1 when no
 * group shows such a tab.
 */
async function groupShowing(page: Page, title: string): Promise<number> {
  const groups = page.locator('.part.editor .editor-group-container');
  const count = await groups.count();
  for (let i = 0; i < count; i++) {
    const active = groups.nth(i).locator('.tabs-container .tab.active');
    if ((await active.count()) > 0 && (await active.first().innerText({ timeout: 5_000 })).includes(title)) return i;
  }
  return -1;
}

/** Waits until the tab titled `title` is shown in some editor group; returns that group's index. */
function untilShown(page: Page, title: string, timeoutMs = 15_000): Promise<number> {
  return waitUntil(
    async () => {
      const group = await groupShowing(page, title);
      return group >= 0 ? group : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `the tab "${title}" shown in an editor group` },
  );
}

describe('NAQ tails in a real editor', () => {
  before(
    async () => {
      ({ nats, storage, session } = await openNaqEditor('NAQ tails'));
    },
    { timeout: 180_000 },
  );

  after(() => closeNaqEditor({ session, storage, nats }), { timeout: 60_000 });

  test('tails side by side: two patterns, both live, each showing only its own events', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      const [a, b] = [`job-side-a-${run}`, `job-side-b-${run}`];
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await closeAllEditors(page);
      const tailA = await startTail(page, jobPattern(a));
      const tailB = await startTail(page, jobPattern(b));
      // Two panels in two editor groups, both in view at once.
      const [groupA, groupB] = [await untilShown(page, `NAQ Tail: ${jobPattern(a)}`), await untilShown(page, `NAQ Tail: ${jobPattern(b)}`)];
      assert.notEqual(groupA, groupB, 'the second tail was opened over the first, not beside it');

      for (const jobId of [a, b]) await emit(JobEvents.enqueued(jobId, QUEUE));
      for (const jobId of [a, b]) await emit(JobEvents.started(jobId, `worker-${run}`, 'python', { queue_name: QUEUE }));
      const shownA = await untilLines(tailA, a, 2);
      const shownB = await untilLines(tailB, b, 2);
      assert.deepEqual(
        shownA.lines.filter((line) => !line.includes(a)),
        [],
        `the tail of ${a} shows other lines`,
      );
      assert.deepEqual(
        shownB.lines.filter((line) => !line.includes(b)),
        [],
        `the tail of ${b} shows other lines`,
      );
      assert.match(shownA.header, /^Live: /, 'the first tail is not live any more');
      assert.match(shownB.header, /^Live: /);
      assert.equal(await groupShowing(page, `NAQ Tail: ${jobPattern(a)}`), groupA, 'the first tail is no longer in view');
      // Half an editor wide, each line still shows some of its message, not just time, type and job id.
      for (const [jobId, tail] of [[a, tailA], [b, tailB]] as const) {
        const squeezed = await messageWidths(tail);
        assert.deepEqual(squeezed.filter((line) => line.message < line.tenCh), [], `lines of the tail of ${jobId} whose message is squeezed out`);
      }
      await shootEditors(page, 'tails-side-by-side');
      await closeAllEditors(page);
    }),
  );

  test('tail: Space expands a long line to show all of it, and Space again collapses it', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-long-${run}`;
      const message = `${'A long message that does not fit on one line of the tail; '.repeat(6)}end of message ${run}`;
      await openNaqViews(page);
      const tail = await startTail(page, jobPattern(jobId));
      await emit(JobEvents.enqueued(jobId, QUEUE, 0, { message }));
      await untilLines(tail, jobId, 1);
      /** The line's state: aria-expanded, and whether its message is cut (wider than it is shown) or shown whole. */
      const lineState = (): Promise<{ expanded: string | null; cut: boolean; height: number }> =>
        withTimeout(
          tail.evaluate(() => {
            const row = document.querySelector<HTMLElement>('.tail-list .vrow')!;
            const text = row.querySelector<HTMLElement>('.tl-message')!;
            return { expanded: row.getAttribute('aria-expanded'), cut: text.scrollWidth > text.clientWidth + 1, height: row.offsetHeight };
          }),
          5_000,
          'reading the tail line',
        );
      const before = await lineState();
      assert.equal(before.expanded, 'false');
      assert.ok(before.cut, 'the long message fits on one line: the test needs a longer one');

      const list = tail.locator('.tail-list');
      await list.press('Space', { timeout: 10_000 });
      const expanded = await waitUntil(
        async () => {
          const state = await lineState();
          return state.expanded === 'true' && !state.cut ? state : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the long line expanded, its message shown whole' },
      );
      assert.ok(expanded.height > 2 * before.height, `the expanded line is ${expanded.height}px high, the one-line one ${before.height}px: not wrapped`);
      await shootEditors(page, 'tail-line-expanded');

      await list.press('Space', { timeout: 10_000 });
      await waitUntil(
        async () => {
          const state = await lineState();
          return state.expanded === 'false' && state.cut && state.height === before.height;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the long line collapsed to one line again' },
      );
      await closeAllEditors(page);
    }),
  );

  test('tail: the first line of each day shows its date, where the day changes', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-days-${run}`;
      // Noon three and two days ago: two calendar days in any time zone the machine has.
      const noon = new Date();
      noon.setHours(12, 0, 0, 0);
      const first = noon.getTime() / 1000 - 3 * 86_400;
      const times = [first, first + 60, first + 86_400];
      const days = times.map((time) => formatClock(time, false, true).slice(0, 10));
      await openNaqViews(page);
      const tail = await startTail(page, jobPattern(jobId));
      await emit(JobEvents.enqueued(jobId, QUEUE, 0, { timestamp: times[0] }));
      await emit(JobEvents.started(jobId, `worker-${run}`, 'python', { queue_name: QUEUE, timestamp: times[1] }));
      await emit(JobEvents.completed(jobId, `worker-${run}`, 5, { queue_name: QUEUE, timestamp: times[2] }));
      await untilLines(tail, jobId, 3);
      const dates = await withTimeout(
        tail.evaluate(() => Array.from(document.querySelectorAll('.tail-list .vrow')).map((row) => row.querySelector('.tl-day')?.textContent ?? null)),
        5_000,
        'reading the dates of the lines',
      );
      assert.deepEqual(dates, [days[0], null, days[2]], 'a date above the first line and above the first line of the next day only');
      await shootEditors(page, 'tail-day-change');
      await closeAllEditors(page);
    }),
  );

  test('tail: Enter and a click on a line open the job\'s timeline in another editor group; the tail stays in view and live', { timeout: 150_000 }, (t) =>
    session.scenario(t, async (page) => {
      const [a, b] = [`job-open-a-${run}`, `job-open-b-${run}`];
      const pattern = `${PREFIX}.>`;
      await openNaqViews(page);
      await closeAllEditors(page);
      const tail = await startTail(page, pattern);
      const tailTitle = `NAQ Tail: ${pattern}`;
      const tailGroup = await untilShown(page, tailTitle);
      for (const jobId of [a, b]) await emit(JobEvents.enqueued(jobId, QUEUE));
      await untilLines(tail, b, 1);

      // Enter on the active line: the list's last line, b's.
      await tail.locator('.tail-list').press('End', { timeout: 10_000 });
      await tail.locator('.tail-list').press('Enter', { timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(`Job ${b}`), 30_000, `the timeline of ${b}`);
      const timelineGroup = await untilShown(page, `Job ${b}`);
      assert.notEqual(timelineGroup, tailGroup, 'Enter opened the timeline over the tail');
      assert.equal(await groupShowing(page, tailTitle), tailGroup, 'the tail is no longer in view after Enter');
      await shootEditors(page, 'tail-opens-timeline');

      await tail.locator('.tail-list .vrow', { hasText: a }).locator('.tl-job').click({ timeout: 10_000 });
      await webviewPage(page, 'timeline', (text) => text.includes(`Job ${a}`), 30_000, `the timeline of ${a}`);
      assert.notEqual(await untilShown(page, `Job ${a}`), tailGroup, 'a click opened the timeline over the tail');
      assert.equal(await groupShowing(page, tailTitle), tailGroup, 'the tail is no longer in view after a click');

      const later = `job-open-later-${run}`;
      await emit(JobEvents.enqueued(later, QUEUE));
      const shown = await untilLines(tail, later, 1);
      assert.match(shown.header, /^Live: /, 'the tail is not live after opening timelines');
      await closeAllEditors(page);
    }),
  );
});
