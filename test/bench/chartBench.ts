/**
 * The statistics dashboard drawing 10,000 points per series: the real page (minified, under its CSP)
 * in headless Chromium gets a `metrics` message with four charts (14 lines) of 10,000 points, and
 * the time until they are drawn is taken, first draw and live updates (median of several). The
 * same-run baseline draws the very same points as plain canvas polylines in the same page: the
 * floor any canvas chart pays.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { WebviewPages } from '../support/webviewPages';
import { Check, percentile } from './stats';

const CHROMIUM = '/usr/bin/chromium';
const POINTS = 10_000;
const ROUNDS = Number(process.env.NAQ_BENCH_CHART_ROUNDS ?? 9);

/** A `metrics` message: one point a minute, every measure, values that move. */
function metricsMessage(shift: number): unknown {
  const from = 1_765_000_000 - (1_765_000_000 % 60);
  const step = 60;
  const times = Array.from({ length: POINTS }, (_, i) => from + i * step);
  const wave = (i: number, k: number) => Math.round(20 + 15 * Math.sin((i + shift) / (40 + k)) + ((i * 7919 + k) % 11));
  const counts = Object.fromEntries(['enqueued', 'started', 'completed', 'failed', 'retried', 'timedOut', 'cancelled'].map((type, k) => [type, times.map((_, i) => wave(i, k))]));
  const pct = (i: number) => ({ count: 10, p50: 100 + wave(i, 1), p95: 400 + 3 * wave(i, 2), p99: 900 + 9 * wave(i, 3) });
  const totals = { counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0)])), failureRate: 0.1, runTime: pct(0), queueWait: pct(1) };
  const overall = {
    from,
    to: from + POINTS * step,
    step,
    times,
    series: [{ group: null, counts, failureRate: times.map((_, i) => (wave(i, 4) % 10) / 100), runTime: times.map((_, i) => pct(i)), queueWait: times.map((_, i) => pct(i + 5)), totals }],
  };
  const groups = { from, to: overall.to, step: POINTS * step, times: [from], series: [{ group: 'default', totals }] };
  return { type: 'metrics', body: { range: { preset: 'custom', from, to: overall.to, step, live: false }, overall, groups, groupBy: 'queue', updatedAt: 0 } };
}

export async function benchChart(): Promise<Check[] | string> {
  if (!existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  const pages = await WebviewPages.start({ minify: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pages.url('stats'));
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    const messages = [0, 1, 2, 3].map((shift) => JSON.stringify(metricsMessage(shift * 17)));
    /** Posts a message to the page and takes the time until its drawing is done (uPlot commits in a microtask; a macrotask follows them all). */
    const draw = (json: string) =>
      page.evaluate(async (text) => {
        const data = JSON.parse(text) as unknown;
        const start = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data }));
        await new Promise((resolve) => setTimeout(resolve, 0));
        return performance.now() - start;
      }, json);
    const first = await draw(messages[0]!);
    const drawn = await page.locator('.chart-plot canvas').count();
    if (drawn !== 4) throw new Error(`the page drew ${drawn} charts, not 4`);
    const updates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) updates.push(await draw(messages[(round % 3) + 1]!));

    // The floor: the same lines as canvas polylines, on canvases of the charts' size.
    const floors: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      floors.push(
        await page.evaluate(async (text) => {
          const body = (JSON.parse(text) as { body: { overall: { times: number[]; series: { counts: Record<string, number[]>; failureRate: number[]; runTime: { p50: number; p95: number; p99: number }[]; queueWait: { p50: number; p95: number; p99: number }[] }[] } } }).body;
          const s = body.overall.series[0]!;
          const charts = [Object.values(s.counts), [s.failureRate], (['p50', 'p95', 'p99'] as const).map((q) => s.runTime.map((p) => p[q])), (['p50', 'p95', 'p99'] as const).map((q) => s.queueWait.map((p) => p[q]))];
          const size = document.querySelector('.chart-plot canvas') as HTMLCanvasElement;
          const start = performance.now();
          for (const lines of charts) {
            const canvas = document.createElement('canvas');
            canvas.width = size.width;
            canvas.height = size.height;
            const ctx = canvas.getContext('2d')!;
            const max = Math.max(...lines.map((l) => Math.max(...l)));
            for (const line of lines) {
              ctx.beginPath();
              line.forEach((v, i) => ctx.lineTo((i / line.length) * canvas.width, canvas.height - (v / max) * canvas.height));
              ctx.stroke();
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 0));
          return performance.now() - start;
        }, messages[round % 4]!),
      );
    }
    const update = percentile(updates, 50);
    const floor = percentile(floors, 50);
    return [
      {
        name: `dashboard draws ${POINTS.toLocaleString('en-US')} points per series (4 charts, 14 lines), a live update, median of ${ROUNDS}`,
        value: update,
        unit: 'ms',
        target: '<= 50',
        ok: update <= 50,
        baseline: { name: 'the same points as plain canvas polylines', value: floor, comparison: `${(update / floor).toFixed(1)}× that floor` },
      },
      { name: 'dashboard first draw of the same (charts created, tables and legend built)', value: first, unit: 'ms', target: '', ok: true, info: true },
    ];
  } finally {
    await browser.close();
    await pages.close();
  }
}
