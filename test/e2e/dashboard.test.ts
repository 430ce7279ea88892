/**
 * The statistics dashboard in a real editor (code-server + Chromium, the packaged .vsix, a real
 * nats-server): two jobs stored 50 and 5 minutes ago are drawn on the charts; the range picker
 * changes what they count; a range brushed on a chart, by mouse and by keyboard, narrows the Jobs view
 * to the jobs active in it, which the view says and "Clear Time Filter" undoes; a job stored while the
 * page is open is counted on it (metrics/changed). Each step waits for a
 * shown text or a tree row, never for time.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import type { NatsServer } from '../support/natsServer';
import { closeAllEditors, type EditorSession, jobRow, killDescendantsOnExit, openNaqViews, paletteCommand, treeRow, viewPane, waitForStatus, webviewPage } from './fixtures/editorSession';
import { closeNaqEditor, openNaqEditor } from './fixtures/naqEditor';
import { waitForVisible, waitUntil, withTimeout } from './harness';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
const EARLY = `dash-early-${run}`;
const LATE = `dash-late-${run}`;
const QUEUE = `dash-${run}`;

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

/** A job enqueued `minutesAgo`, started 5 s later, completed after 15 s. */
async function storeJob(jobId: string, minutesAgo: number): Promise<void> {
  const t = Date.now() / 1000 - minutesAgo * 60;
  await storage.store(JobEvents.enqueued(jobId, QUEUE, 0, { timestamp: t }));
  await storage.store(JobEvents.started(jobId, 'worker-dash', 'e2e', { timestamp: t + 5, queue_name: QUEUE }));
  await storage.store(JobEvents.completed(jobId, 'worker-dash', 15_000, { timestamp: t + 20, queue_name: QUEUE }));
}

/** What the page shows: the range line, canvases drawn, whether the throughput chart says it is empty, and the enqueued count over its table. */
async function shown(frame: Frame): Promise<{ range: string; canvases: number; empty: boolean; enqueued: number }> {
  return withTimeout(
    frame.evaluate(() => {
      const details = document.querySelector<HTMLDetailsElement>('details[data-table="throughput"]');
      if (details && !details.open) details.open = true;
      let enqueued = 0;
      for (const cell of Array.from(document.querySelectorAll('details[data-table="throughput"] tbody tr td:first-of-type'))) enqueued += Number((cell.textContent ?? '').replace(/[^0-9]/g, '')) || 0;
      const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('.chart-plot canvas')).filter((c) => c.width > 0 && c.height > 0).length;
      const empty = !(document.querySelector('section[aria-label="Throughput by event type"] .chart-empty') as HTMLElement | null)?.hidden;
      return { range: document.querySelector('.range-label')?.textContent ?? '', canvases, empty, enqueued };
    }),
    5_000,
    'reading the dashboard',
  );
}

async function untilShown(frame: Frame, accept: (s: Awaited<ReturnType<typeof shown>>) => boolean, what: string): Promise<Awaited<ReturnType<typeof shown>>> {
  let last: Awaited<ReturnType<typeof shown>> | undefined;
  try {
    return await waitUntil(
      async () => {
        last = await shown(frame).catch(() => undefined);
        return last !== undefined && accept(last) ? last : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, what },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; the page shows ${JSON.stringify(last)}`);
  }
}

/** Waits until the Jobs view's Completed group lists `present` and not `absent`. */
async function jobsViewLists(page: Page, present: string, absent: string): Promise<void> {
  const jobs = viewPane(page, 'Jobs');
  await jobRow(page, 'Completed', present, 30_000);
  await waitUntil(async () => (await treeRow(jobs, absent).count()) === 0 && (await treeRow(jobs, present).count()) === 1, {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: `the Jobs view to list ${present} and not ${absent}`,
  });
}

describe('NAQ statistics dashboard in a real editor', () => {
  before(
    async () => {
      ({ nats, storage, session } = await openNaqEditor('NAQ dashboard'));
    },
    { timeout: 180_000 },
  );

  after(() => closeNaqEditor({ session, storage, nats }), { timeout: 60_000 });

  test('the dashboard draws stored jobs, the range picker changes the range, and a brush (mouse or keyboard) narrows the Jobs view', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openNaqViews(page, 30_000);
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await storeJob(EARLY, 50);
      await storeJob(LATE, 5);
      await jobRow(page, 'Completed', EARLY, 30_000);
      await jobRow(page, 'Completed', LATE, 30_000);

      // Drawn: four charts on canvas, the two jobs counted over the last hour.
      await paletteCommand(page, 'NAQ: Show Statistics');
      const frame = await webviewPage(page, 'stats', (text) => text.includes('Showing the last hour'), 30_000, 'the dashboard over the last hour');
      await untilShown(frame, (s) => s.canvases === 4 && !s.empty && s.enqueued === 2, 'the charts to draw both jobs');

      // The range picker: 15 minutes holds the late job only; back to 1 h by keyboard.
      await frame.locator('button[data-range="15m"]').click({ timeout: 10_000 });
      const fifteen = await untilShown(frame, (s) => /the last 15 minutes/.test(s.range) && s.enqueued === 1, 'the 15-minute range');
      assert.match(fifteen.range, /a point per 1 min, live/);
      await frame.locator('button[data-range="1h"]').focus({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await untilShown(frame, (s) => /the last hour/.test(s.range) && s.enqueued === 2, 'the 1-hour range again');

      // A mouse brush over the first 40% of the hour (about 60 to 36 minutes ago): the early job only.
      const over = frame.locator('.chart-plot[data-chart="throughput"] .u-over');
      const box = await over.boundingBox({ timeout: 10_000 });
      assert.ok(box, 'the plot area has a box');
      await page.mouse.move(box.x + 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      await jobsViewLists(page, EARLY, LATE);
      const jobs = viewPane(page, 'Jobs');
      await waitForVisible(jobs.getByText(/Jobs active between/).first(), 15_000, 'the Jobs view to say a time filter is on');
      await webviewPage(page, 'stats', (text) => text.includes('The Jobs view lists the jobs active from'), 15_000, 'the dashboard to show the filter');

      await paletteCommand(page, 'NAQ: Clear Time Filter');
      await jobRow(page, 'Completed', LATE, 30_000);
      await jobRow(page, 'Completed', EARLY, 30_000);
      assert.equal(await jobs.getByText(/Jobs active between/).count(), 0, 'the filter message is gone');

      // The keyboard brush: the last ten points (minutes) hold the late job only.
      const plot = frame.locator('.chart-plot[data-chart="throughput"]');
      await plot.focus({ timeout: 10_000 });
      await page.keyboard.press('End');
      for (let i = 0; i < 9; i++) await page.keyboard.press('Shift+ArrowLeft');
      const said = await plot.locator('xpath=..').locator('[aria-live]').textContent({ timeout: 5_000 });
      assert.match(said ?? '', /Selected .* Enter shows its jobs/);
      await page.keyboard.press('Enter');
      await jobsViewLists(page, LATE, EARLY);
      await paletteCommand(page, 'NAQ: Clear Time Filter');

      // Live: a job stored now shows on the open range without a refresh.
      await storeJob(`dash-now-${run}`, 1);
      await untilShown(frame, (s) => s.enqueued === 3, 'the live range to count the new job');
      await closeAllEditors(page);
    }),
  );
});
