/** The dashboard's pure parts: range and step choice, CSV, series shaping, the group table's rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, metricsCsv } from '../../client/src/stats/csv';
import { chooseStep, customRange, DAY, HOUR, MAX_POINTS, minuteHorizon, presetRange, slide } from '../../client/src/stats/range';
import type { MetricsResult, MetricsTotals } from '../../server/src/protocol/metrics';
import { groupRows } from '../../media/src/stats/groupTable';
import { fromLocalInput, toLocalInput } from '../../media/src/stats/rangePicker';
import { chartsOf, formatValue, hasData, pointsRange, stepLabel, wholeSeconds } from '../../media/src/stats/series';

const NOW = 1_765_000_000.5;

test('presets end at the end of the current minute and pick a step giving at most a few hundred points', () => {
  const expected = { '15m': [900, 60], '1h': [3_600, 60], '24h': [DAY - 2 * 60 + 60, 300], '7d': [7 * DAY, HOUR] } as const;
  for (const [preset, [span, step]] of Object.entries(expected) as [keyof typeof expected, readonly [number, number]][]) {
    const range = presetRange(preset, NOW);
    assert.equal(range.to, Math.floor(NOW / 60) * 60 + 60, preset);
    assert.equal(range.to - range.from, span, preset);
    assert.equal(range.step, step, preset);
    assert.ok((range.to - range.from) / range.step <= MAX_POINTS, preset);
    assert.equal(range.live, true);
  }
  // The 24-hour range stays within the minute buckets, so its step stays fine.
  assert.ok(presetRange('24h', NOW).from >= minuteHorizon(NOW));
  assert.ok(presetRange('24h', NOW).from >= minuteHorizon(NOW + 59), 'still fine a minute later');
});

test('the step: round, fine inside the last day, hourly past it, never more than MAX_POINTS', () => {
  assert.equal(chooseStep(NOW - 600, NOW, NOW), 60);
  assert.equal(chooseStep(NOW - 6 * HOUR, NOW, NOW), 120);
  assert.equal(chooseStep(NOW - 3 * DAY, NOW - 3 * DAY + 600, NOW), HOUR, 'past the minute buckets');
  assert.equal(chooseStep(NOW - 30 * DAY, NOW, NOW), 3 * HOUR);
  for (const span of [60, 1_000, 10_000, 100_000, 604_800]) {
    const step = chooseStep(NOW - span, NOW, NOW);
    assert.ok(span / step <= MAX_POINTS, `${span}: ${step}`);
  }
});

test('custom ranges are checked and live only when they reach now; a live preset slides', () => {
  assert.throws(() => customRange(100, 100, NOW), /"to" must be after "from"/);
  assert.throws(() => customRange(NOW - 8 * DAY, NOW, NOW), /at most 7 days/);
  const past = customRange(NOW - 2 * DAY, NOW - DAY - HOUR, NOW);
  assert.equal(past.live, false);
  assert.equal(past.step, HOUR);
  assert.equal(slide(past, NOW + 600), past);
  const live = presetRange('1h', NOW);
  assert.equal(slide(live, NOW + 600).to, live.to + 600);
});

const totals = (enqueued: number): MetricsTotals => ({
  counts: { enqueued, started: 1, completed: 1, failed: 0, retried: 0, timedOut: 0, cancelled: 0 },
  failureRate: 0,
  runTime: { count: 1, p50: 10, p95: 20, p99: 30 },
  queueWait: { count: 0, p50: null, p95: null, p99: null },
});

const RESULT: MetricsResult = {
  from: 1_700_000_000,
  to: 1_700_000_180,
  step: 60,
  times: [1_700_000_000, 1_700_000_060, 1_700_000_120],
  series: [
    {
      group: null,
      counts: { enqueued: [2, 0, 1], started: [1, 1, 0], completed: [0, 1, 0], failed: [1, 0, 0], retried: [0, 0, 0], timedOut: [0, 0, 0], cancelled: [0, 0, 0] },
      failureRate: [1, 0, null],
      runTime: [
        { count: 1, p50: 12.5, p95: 12.5, p99: 12.5 },
        { count: 1, p50: 1500, p95: 1500, p99: 1500 },
        { count: 0, p50: null, p95: null, p99: null },
      ],
      queueWait: [
        { count: 1, p50: 3, p95: 3, p99: 3 },
        { count: 0, p50: null, p95: null, p99: null },
        { count: 0, p50: null, p95: null, p99: null },
      ],
      totals: totals(3),
    },
  ],
};

test('CSV: a header, one row per point, empty cells for no value, fields quoted when they must be', () => {
  const lines = metricsCsv(RESULT).split('\r\n');
  assert.equal(lines.length, 5, 'header, 3 points, final line end');
  assert.equal(lines[0], 'time,epoch_seconds,enqueued,started,completed,failed,retried,timedOut,cancelled,failure_rate,run_time_p50_ms,run_time_p95_ms,run_time_p99_ms,queue_wait_p50_ms,queue_wait_p95_ms,queue_wait_p99_ms');
  assert.equal(lines[1], '2023-11-14T22:13:20.000Z,1700000000,2,1,0,1,0,0,0,1,12.5,12.5,12.5,3,3,3');
  assert.equal(lines[3], '2023-11-14T22:15:20.000Z,1700000120,1,0,0,0,0,0,0,,,,,,,');
  assert.equal(lines[4], '');
  assert.equal(csvField('a,"b"\nc'), '"a,""b""\nc"');
  assert.equal(csvField(null), '');
  const grouped = metricsCsv({ ...RESULT, series: [{ ...RESULT.series[0]!, group: 'billing, eu' }] });
  assert.match(grouped.split('\r\n')[0]!, /^time,epoch_seconds,"billing, eu:enqueued",/);
});

test('series shaping: four charts, a line per event type and per percentile, values as answered', () => {
  const charts = chartsOf(RESULT);
  assert.deepEqual(charts.map((c) => c.id), ['throughput', 'failureRate', 'runTime', 'queueWait']);
  const [throughput, failureRate, runTime, queueWait] = charts;
  assert.deepEqual(throughput!.series.map((s) => s.label), ['enqueued', 'started', 'completed', 'failed', 'retried', 'timed out', 'cancelled']);
  assert.deepEqual(throughput!.series[0]!.values, [2, 0, 1]);
  assert.equal(throughput!.unit, 'events per 1 min');
  assert.deepEqual(failureRate!.series[0]!.values, [1, 0, null]);
  assert.deepEqual(runTime!.series.map((s) => [s.label, s.values]), [
    ['p50', [12.5, 1500, null]],
    ['p95', [12.5, 1500, null]],
    ['p99', [12.5, 1500, null]],
  ]);
  assert.deepEqual(queueWait!.series[2]!.values, [3, null, null]);
  assert.ok(charts.every(hasData));
  // An answer without the overall series (nothing asked) still gives charts, empty.
  const empty = chartsOf({ ...RESULT, series: [] });
  assert.equal(empty.length, 4);
  assert.ok(empty.every((c) => !hasData(c)));
  assert.deepEqual(empty[2]!.series[0]!.values, [null, null, null]);
});

test('values read exactly; point ranges and brushes become whole seconds within the chart', () => {
  assert.equal(formatValue('count', 12345), '12,345');
  assert.equal(formatValue('fraction', 0.1234), '12.3%');
  assert.equal(formatValue('duration', 1500), '1.50 s');
  assert.equal(formatValue('duration', null), '—');
  const chart = chartsOf(RESULT)[0]!;
  assert.deepEqual(pointsRange(chart, 2, 0), { from: 1_700_000_000, to: 1_700_000_180 });
  assert.deepEqual(pointsRange(chart, 1, 1), { from: 1_700_000_060, to: 1_700_000_120 });
  assert.deepEqual(wholeSeconds(10.7, 3.2), { from: 3, to: 11 });
  assert.deepEqual(wholeSeconds(5.5, 5.5), { from: 5, to: 6 });
  assert.equal(stepLabel(300), '5 min');
  assert.equal(stepLabel(3_600), '1 h');
  assert.equal(stepLabel(86_400), '1 day');
});

test('group rows: busiest first, ties by name, the overall series left out', () => {
  const rows = groupRows({ ...RESULT, series: [{ group: 'b', totals: totals(1) }, { group: 'a', totals: totals(1) }, { group: 'c', totals: totals(9) }, { group: null, totals: totals(50) }] });
  assert.deepEqual(rows.map((r) => [r.group, r.events]), [
    ['c', 11],
    ['a', 3],
    ['b', 3],
  ]);
});

test('custom fields: local date-times to epoch seconds and back', () => {
  const t = 1_700_000_040;
  assert.equal(fromLocalInput(toLocalInput(t)), t);
  assert.equal(fromLocalInput('2023-11-14'), null);
  assert.equal(fromLocalInput('nonsense'), null);
});
