/**
 * A job's timeline in a real editor (code-server + Chromium, a real nats-server): in a narrow
 * editor the message keeps the space and worker and queue give way; a running attempt's run time
 * counts up by itself; a one-event completed job's run time is the duration it reports. Each
 * scenario waits for a shown state, never for time. With NAQ_SCREENSHOTS=1 they save pictures of
 * what they show to docs/screenshots/ (for docs/daily-use.md).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import type { NatsServer } from '../support/natsServer';
import { closeAllEditors, EditorSession, jobRow, killDescendantsOnExit, openNaqViews, waitForStatus, webviewPage } from './fixtures/editorSession';
import { closeNaqEditor, openNaqEditor } from './fixtures/naqEditor';
import { docScreenshot } from './fixtures/screenshots';
import { storeRetrying } from './fixtures/storeRetrying';
import { waitUntil, withTimeout } from './harness';

killDescendantsOnExit();

const run = randomBytes(3).toString('hex');
const QUEUE = `timeline-${run}`;
const VIEWPORT = { width: 1400, height: 900 };

let nats: NatsServer;
let storage: EventStorage;
let session: EditorSession;

function emit(event: JobEvent, timeoutMs = 30_000): Promise<void> {
  return storeRetrying(storage, event, timeoutMs);
}

/** Opens the timeline of `jobId` from its row in the Jobs view (under `statusLabel`); returns its page once it shows the job. */
async function openTimeline(page: Page, statusLabel: string, jobId: string): Promise<Frame> {
  await openNaqViews(page, 30_000);
  await waitForStatus(page, /^NAQ: connected\b/, 60_000);
  await (await jobRow(page, statusLabel, jobId, 30_000)).click({ timeout: 10_000 });
  return webviewPage(page, 'timeline', (text) => text.includes(`Job ${jobId}`) && /\bRun time\b/.test(text), 30_000, `the timeline of ${jobId}`);
}

/** The header's facts, label to value, as shown. */
function facts(frame: Frame): Promise<Record<string, string>> {
  return withTimeout(
    frame.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('.facts .fact')).map((fact) => [fact.querySelector('dt')?.textContent ?? '', fact.querySelector('dd')?.textContent ?? '']))),
    5_000,
    'reading the timeline facts',
  );
}

/** Milliseconds of a duration as the page writes it: `120 ms`, `5.43 s`, `12.3 s`, `2m 03s`, `1h 02m`. */
function durationMs(text: string): number {
  const match = /(?:(\d+)h )?(?:(\d+)m )?(?:(\d+(?:\.\d+)?) ?(ms|s))?/.exec(text.trim());
  if (!match || match[0] === '') throw new Error(`not a duration: ${JSON.stringify(text)}`);
  const [, h, m, value, unit] = match;
  return Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + (value === undefined ? 0 : Number(value) * (unit === 'ms' ? 1 : 1000));
}

describe('NAQ job timeline in a real editor', () => {
  before(
    async () => {
      ({ nats, storage, session } = await openNaqEditor('NAQ timeline'));
    },
    { timeout: 180_000 },
  );

  after(() => closeNaqEditor({ session, storage, nats }), { timeout: 60_000 });

  test('narrow editor: the message keeps the space; worker and queue give way', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-narrow-${run}`;
      const message = 'Rendering the monthly invoices of customer 4242 into one PDF';
      await emit(JobEvents.started(jobId, `worker-with-a-rather-long-name-${run}`, 'python', { queue_name: `queue-with-a-rather-long-name-${run}`, message }));
      await page.setViewportSize({ width: 820, height: VIEWPORT.height });
      try {
        const frame = await openTimeline(page, 'Running', jobId);
        // No named functions inside evaluate(): tsx's transform would name them with a helper the page lacks.
        const measure = async () =>
          withTimeout(
            frame.evaluate((text) => {
              const head = Array.from(document.querySelectorAll<HTMLElement>('.timeline-list .ev-head')).find((h) => h.querySelector('.ev-message')?.textContent === text);
              if (!head) return undefined;
              const shown = head.querySelector<HTMLElement>('.ev-message')!;
              const probe = document.createElement('span');
              probe.style.cssText = 'position:absolute;visibility:hidden;width:20ch';
              shown.appendChild(probe);
              const twentyCh = probe.getBoundingClientRect().width;
              probe.remove();
              return {
                list: document.querySelector<HTMLElement>('.timeline-list')!.clientWidth,
                message: shown.getBoundingClientRect().width,
                cut: shown.scrollWidth > shown.clientWidth + 1,
                contexts: Array.from(head.querySelectorAll<HTMLElement>('.ev-context')).map((node) => node.getBoundingClientRect().width),
                twentyCh,
              };
            }, message),
            5_000,
            'measuring the event row',
          );
        const widths = await waitUntil(measure, { timeoutMs: 10_000, intervalMs: 200, what: 'the event row with the message' });
        assert.ok(widths.list < 640, `the list is ${widths.list}px wide: not the narrow editor this test is about`);
        assert.ok(widths.message >= widths.twentyCh, `the message is squeezed to ${widths.message}px (20 characters: ${widths.twentyCh}px); worker and queue take ${JSON.stringify(widths.contexts)}`);
        for (const context of widths.contexts) assert.ok(context <= widths.message, `a worker or queue chip (${context}px) is wider than the message (${widths.message}px)`);
        assert.ok(!widths.cut, 'the message is cut instead of wrapped');
        await docScreenshot(page.locator('.part.editor'), 'timeline-narrow');
      } finally {
        await page.setViewportSize(VIEWPORT);
      }
      await closeAllEditors(page);
    }),
  );

  test('a running attempt\'s run time counts up with no new event', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-running-${run}`;
      await emit(JobEvents.started(jobId, `worker-${run}`, 'python', { queue_name: QUEUE, timestamp: Date.now() / 1000 - 5 }));
      const frame = await openTimeline(page, 'Running', jobId);
      const runTime = async (): Promise<string> => (await facts(frame))['Run time'] ?? '';
      const first = await runTime();
      assert.match(first, /\(running\)$/, `the run time of a running job reads ${JSON.stringify(first)}`);
      const later = await waitUntil(
        async () => {
          const now = await runTime();
          return now !== first ? now : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 200, what: `the run time to move on from ${first}` },
      );
      assert.ok(durationMs(later) > durationMs(first), `the run time went from ${first} to ${later}`);
      assert.equal((await storage.jobEvents(jobId)).events.length, 1, 'an event was added: the run time did not move by itself');
      const attempt = frame.locator('.attempt .attempt-duration');
      const shown = await attempt.innerText({ timeout: 5_000 });
      await waitUntil(async () => (await attempt.innerText({ timeout: 5_000 })) !== shown, {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: `the attempt's run time to move on from ${shown}`,
      });
      await docScreenshot(page.locator('.part.editor'), 'timeline-running');
      await closeAllEditors(page);
    }),
  );

  test('a one-event completed job: its run time is the 120 ms it reports, never 0 ms', { timeout: 120_000 }, (t) =>
    session.scenario(t, async (page) => {
      const jobId = `job-one-event-${run}`;
      await emit(JobEvents.completed(jobId, `worker-${run}`, 120, { queue_name: QUEUE }));
      const frame = await openTimeline(page, 'Completed', jobId);
      const shown = await facts(frame);
      assert.equal(shown['Run time'], '120 ms', `the header's facts: ${JSON.stringify(shown)}`);
      assert.deepEqual(
        Object.entries(shown).filter(([, value]) => /^0 ms\b/.test(value)),
        [],
        `a fact reads 0 ms next to the reported 120 ms: ${JSON.stringify(shown)}`,
      );
      assert.equal(await frame.locator('.ev-duration').innerText({ timeout: 5_000 }), '120 ms', 'the event shows the duration it reports');
      await docScreenshot(page.locator('.part.editor'), 'timeline-run-time');
      await closeAllEditors(page);
    }),
  );
});
