/**
 * What each dashboard chart draws, shaped from a `metrics/query` answer: the x values (point starts,
 * epoch seconds) and one line per series with how its values read. Pure: unit-tested in node.
 */
import * as l10n from '@vscode/l10n';
import type { MetricsCountedType, MetricsResult, Percentiles } from '../../../server/src/protocol/metrics';
import { formatDuration } from '../lib/time';

/** How a series' values read: whole counts, a fraction shown as a percentage, milliseconds. */
export type ValueKind = 'count' | 'fraction' | 'duration';

/** A theme colour name: the `--vscode-charts-*` variable (or a foreground) the line is drawn in. */
export type ColorName = 'blue' | 'purple' | 'green' | 'red' | 'orange' | 'yellow' | 'muted';

export interface LineSeries {
  label: string;
  color: ColorName;
  values: (number | null)[];
}

export interface ChartData {
  /** Also the chart's element id part and its table's. */
  id: 'throughput' | 'failureRate' | 'runTime' | 'queueWait';
  title: string;
  /** What the y axis measures, e.g. "events per 5 min". */
  unit: string;
  kind: ValueKind;
  /** Seconds per point, as answered. */
  step: number;
  from: number;
  to: number;
  times: number[];
  series: LineSeries[];
}

const TYPE_COLORS: Record<MetricsCountedType, ColorName> = {
  enqueued: 'blue',
  started: 'purple',
  completed: 'green',
  failed: 'red',
  retried: 'orange',
  timedOut: 'yellow',
  cancelled: 'muted',
};

/** Every counted type, in the protocol's order (a Record over the type keeps the list complete; only types are imported, so the page does not bundle the protocol's runtime). */
const COUNTED = Object.keys(TYPE_COLORS) as MetricsCountedType[];

/** A type's line label; made when asked, once the page's translation bundle is configured. */
function typeLabel(type: MetricsCountedType): string {
  switch (type) {
    case 'enqueued':
      return l10n.t('enqueued');
    case 'started':
      return l10n.t('started');
    case 'completed':
      return l10n.t('completed');
    case 'failed':
      return l10n.t('failed');
    case 'retried':
      return l10n.t('retried');
    case 'timedOut':
      return l10n.t('timed out');
    case 'cancelled':
      return l10n.t('cancelled');
  }
}

const QUANTILES = [
  ['p50', 'blue'],
  ['p95', 'orange'],
  ['p99', 'red'],
] as const;

/** "1 min", "5 min", "1 h", "1 day": a step as a unit of the y axis. */
export function stepLabel(step: number): string {
  if (step % 86_400 === 0) return step === 86_400 ? l10n.t('1 day') : l10n.t('{0} days', step / 86_400);
  if (step % 3_600 === 0) return l10n.t('{0} h', step / 3_600);
  if (step % 60 === 0) return l10n.t('{0} min', step / 60);
  return l10n.t('{0} s', step);
}

/** The four charts of the overall series (the first of `result.series`, `groupBy: none`). */
export function chartsOf(result: MetricsResult): ChartData[] {
  const overall = result.series[0];
  const n = result.times.length;
  const base = { step: result.step, from: result.from, to: result.to, times: result.times };
  const empty = (): (number | null)[] => new Array<number | null>(n).fill(null);
  const counts = overall?.counts;
  const throughput: LineSeries[] = COUNTED.map((type) => ({
    label: typeLabel(type),
    color: TYPE_COLORS[type],
    values: counts ? counts[type].slice(0, n) : new Array<number>(n).fill(0),
  }));
  const quantiles = (values: Percentiles[] | undefined): LineSeries[] =>
    QUANTILES.map(([q, color]) => ({ label: q, color, values: values ? values.slice(0, n).map((p) => p[q]) : empty() }));
  return [
    { ...base, id: 'throughput', title: l10n.t('Throughput by event type'), unit: l10n.t('events per {0}', stepLabel(result.step)), kind: 'count', series: throughput },
    {
      ...base,
      id: 'failureRate',
      title: l10n.t('Failure rate'),
      unit: l10n.t('failed or timed out of ended attempts'),
      kind: 'fraction',
      series: [{ label: l10n.t('failure rate'), color: 'red', values: overall?.failureRate?.slice(0, n) ?? empty() }],
    },
    { ...base, id: 'runTime', title: l10n.t('Run time'), unit: l10n.t('p50, p95, p99'), kind: 'duration', series: quantiles(overall?.runTime) },
    { ...base, id: 'queueWait', title: l10n.t('Queue wait'), unit: l10n.t('enqueued to first started: p50, p95, p99'), kind: 'duration', series: quantiles(overall?.queueWait) },
  ];
}

/** A value as the legend, tooltip and tables show it, exactly: counts whole, fractions to 0.1 %, durations in their unit. */
export function formatValue(kind: ValueKind, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (kind) {
    case 'count':
      return Math.round(value).toLocaleString('en-US');
    case 'fraction':
      return `${(value * 100).toFixed(1)}%`;
    case 'duration':
      return formatDuration(value);
  }
}

/** Whether a chart has anything to draw (a count above zero, or any value at all). */
export function hasData(chart: ChartData): boolean {
  return chart.series.some((s) => s.values.some((v) => v !== null && (chart.kind !== 'count' || v > 0)));
}

/**
 * The range [from, to) of the points `a`..`b` (indexes, either order): from the first one's start to
 * the end of the last one, within the chart's range.
 */
export function pointsRange(chart: Pick<ChartData, 'times' | 'step' | 'to'>, a: number, b: number): { from: number; to: number } {
  const first = Math.max(0, Math.min(a, b));
  const last = Math.min(chart.times.length - 1, Math.max(a, b));
  const from = chart.times[first]!;
  return { from, to: Math.min(chart.to, chart.times[last]! + chart.step) };
}

/** A brushed range in chart values (epoch seconds, fractional) as whole seconds, at least one wide. */
export function wholeSeconds(from: number, to: number): { from: number; to: number } {
  const start = Math.floor(Math.min(from, to));
  return { from: start, to: Math.max(start + 1, Math.ceil(Math.max(from, to))) };
}
