/**
 * The "Get started with NAQ" walkthrough in a real editor, with the packaged extension installed and
 * a real nats-server configured: each step's button does what it says, and the step ticks itself
 * (its completion event) once done. The extension is not active when the walkthrough opens: the
 * first step's button is what starts it.
 */
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { NatsServer } from '../support/natsServer';
import { answerInput, answeringAgain, EditorSession, killDescendantsOnExit, paletteCommand, pickItem, waitForStatus } from './fixtures/editorSession';
import { packagedExtension, stopAll, waitForVisible, waitUntil, withTimeout } from './harness';

killDescendantsOnExit();

const WALKTHROUGH = 'Get started with NAQ';
const TIMELINE_IMAGE_ALT = 'A job timeline: enqueued, started, failed, retry scheduled, started again, failed, max retries exceeded.';
const STEPS = ['connect', 'tailFailures', 'emitLifecycle', 'openTimeline', 'failuresInCode'];

let nats: NatsServer;
let session: EditorSession;

function step(page: Page, id: string): Locator {
  return page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
}

/**
 * An editor tab by its title. The panels' contents are the product scenarios' business: in
 * code-server, a webview opened while the walkthrough's Markdown webview is open may stay blank (its
 * resource service worker is never handed over), which says nothing about the walkthrough.
 */
function editorTab(page: Page, title: string): Locator {
  return page.locator('.tabs-container .tab').filter({ hasText: title }).first();
}

async function waitUntilChecked(page: Page, id: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(async () => (await step(page, id).getAttribute('aria-checked', { timeout: 5_000 })) === 'true', {
    timeoutMs,
    intervalMs: 300,
    what: `the walkthrough step "${id}" to tick itself`,
  });
}

/** True when some frame of the page (a walkthrough's Markdown media is a webview) shows `text`. */
async function frameShows(page: Page, text: string): Promise<boolean> {
  for (const frame of page.frames()) {
    const shown = await withTimeout(frame.evaluate(() => document.body?.innerText ?? ''), 3_000, 'reading a frame').catch(() => '');
    if (shown.includes(text)) return true;
  }
  return false;
}

async function selectStep(page: Page, id: string): Promise<void> {
  const element = step(page, id);
  if ((await element.getAttribute('aria-expanded', { timeout: 10_000 })) !== 'true') await element.click({ timeout: 10_000 });
}

/**
 * Waits for a step's Markdown media to show. Selecting a step builds its media in a new webview, and
 * in code-server a webview created while another one is open may stay blank, its resource service
 * worker never handed over: a blank media is built again by selecting another step and this one.
 */
async function waitForMarkdownMedia(page: Page, id: string, heading: string, attempts: number): Promise<void> {
  const other = STEPS.find((candidate) => candidate !== id) as string;
  for (let attempt = 1; ; attempt++) {
    try {
      await waitUntil(() => frameShows(page, heading), { timeoutMs: 15_000, intervalMs: 300, what: `the media of the step "${id}" (attempt ${attempt})` });
      return;
    } catch (error) {
      if (attempt === attempts) throw error;
    }
    await selectStep(page, other);
    await selectStep(page, id);
  }
}

/** Selects (expands) a step and clicks the button its description makes of a command link. */
async function clickStepButton(page: Page, id: string, label: string): Promise<void> {
  const element = step(page, id);
  await selectStep(page, id);
  const button = element.locator('a, button').filter({ hasText: new RegExp(`^\\s*${label}\\s*$`) });
  await waitForVisible(button.first(), 10_000, `the "${label}" button of the step "${id}"`);
  await button.first().click({ timeout: 10_000 });
}

/**
 * Clicks a step's button and answers the quick inputs it opens. A step's Markdown media takes the
 * focus when it loads, which closes a quick input opened before; in code-server that media may also
 * never load (see waitForMarkdownMedia). So the media is given a while to load, and when a late
 * one closes an input, the step (which stores nothing until answered) is done again.
 */
async function clickStepButtonAndAnswer(page: Page, id: string, label: string, heading: string, answer: () => Promise<void>): Promise<void> {
  await selectStep(page, id);
  await waitForMarkdownMedia(page, id, heading, 1).catch(() => undefined);
  await answeringAgain(page, async () => {
    await clickStepButton(page, id, label);
    await answer();
  });
}

async function openWalkthrough(page: Page): Promise<void> {
  await paletteCommand(page, 'Welcome: Open Walkthrough...');
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-box input').fill(WALKTHROUGH, { timeout: 10_000 });
  const row = widget.locator('.monaco-list-row').filter({ hasText: WALKTHROUGH });
  await waitForVisible(row.first(), 15_000, `"${WALKTHROUGH}" among the walkthroughs`);
  await row.first().click({ timeout: 10_000 });
  await waitForVisible(step(page, STEPS[0]!), 20_000, 'the walkthrough steps');
}

describe('the Get started with NAQ walkthrough', () => {
  before(
    async () => {
      const vsix = packagedExtension();
      nats = await NatsServer.start();
      session = await EditorSession.open({
        name: 'walkthrough',
        vsix,
        settings: { 'naq.serverUrl': nats.url, 'naq.embeddedServer': 'never' },
        extraArtifacts: () => new Map([['nats-server.log', nats.log]]),
      });
    },
    { timeout: 180_000 },
  );

  after(
    async () => {
      await stopAll([() => session?.close(), () => nats?.dispose()]);
    },
    { timeout: 90_000 },
  );

  test('every step is listed, unticked, and ticks itself once its button has done the step', { timeout: 240_000 }, (t) =>
    session.scenario(t, async (page) => {
      await openWalkthrough(page);
      for (const id of STEPS) {
        await waitForVisible(step(page, id), 10_000, `the step "${id}"`);
        assert.equal(await step(page, id).getAttribute('aria-checked'), 'false', `the step "${id}" is not done yet`);
      }

      // Nothing has used NAQ yet, so the extension is not running: this button starts and connects it.
      // The first step's Markdown media is the only webview open yet: it must show.
      await waitForMarkdownMedia(page, 'connect', 'Connect to your job events', 3);
      await clickStepButton(page, 'connect', 'Connect');
      await waitForStatus(page, /^NAQ: connected\b/, 60_000);
      await waitUntilChecked(page, 'connect');

      await clickStepButton(page, 'tailFailures', 'Tail Failures');
      await waitUntilChecked(page, 'tailFailures');
      await waitForVisible(editorTab(page, 'NAQ Tail'), 20_000, 'the tail panel');

      await clickStepButtonAndAnswer(page, 'emitLifecycle', 'Emit Sample Lifecycle', 'as a NAQ worker would', async () => {
        await pickItem(page, 'NAQ: Emit Sample Lifecycle', 'Failure with retries', 8_000);
        await answerInput(page, 'NAQ: Sample Lifecycle Job ID', undefined, 8_000);
        await answerInput(page, 'NAQ: Sample Lifecycle Queue', undefined, 8_000);
      });
      await waitUntilChecked(page, 'emitLifecycle');
      const flash = page.locator('.statusbar-item').filter({ hasText: /NAQ: \d+ events for job-/ });
      await waitForVisible(flash.first(), 20_000, 'the status bar message of the stored lifecycle');
      const jobId = /events for (job-[0-9a-f]+)/.exec(await flash.first().innerText())?.[1];
      assert.ok(jobId, 'the status bar message names the job');

      await selectStep(page, 'openTimeline');
      await waitForVisible(page.locator(`img[alt="${TIMELINE_IMAGE_ALT}"]`).first(), 15_000, 'the image of the step "openTimeline"');
      await clickStepButton(page, 'openTimeline', 'Open Job Timeline');
      await answerInput(page, 'NAQ: Open Job Timeline', jobId);
      await waitForVisible(editorTab(page, jobId), 20_000, `the timeline of ${jobId}`);

      // The timeline opened in the walkthrough's editor group, over it: back to the walkthrough.
      await openWalkthrough(page);
      await waitUntilChecked(page, 'openTimeline');
      await clickStepButton(page, 'failuresInCode', 'Show Problems');
      await waitUntilChecked(page, 'failuresInCode');
      await waitForVisible(page.locator('.panel .markers-panel-container, .panel [id="workbench.panel.markers"]').first(), 15_000, 'the Problems panel');
    }),
  );
});
