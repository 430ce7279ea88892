/**
 * The per-queue or per-worker table: over the range shown, each group's counts per event type,
 * failure rate and run-time and queue-wait percentiles, busiest first.
 */
import type { MetricsResult, MetricsTotals } from '../../../server/src/protocol/metrics';
import type { StatsGroupBy } from '../../../client/src/webview/messages';
import { append, el } from '../lib/dom';
import { formatValue } from './series';

export interface GroupRow {
  group: string;
  totals: MetricsTotals;
  /** Events counted, all types: the order of the rows. */
  events: number;
}

/** Rows of a grouped answer, the most events first (ties by name). Pure: unit-tested in node. */
export function groupRows(result: MetricsResult): GroupRow[] {
  return result.series
    .filter((s) => s.group !== null)
    .map((s) => ({ group: s.group as string, totals: s.totals, events: Object.values(s.totals.counts).reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.events - a.events || a.group.localeCompare(b.group));
}

const COLUMNS: { label: string; value: (t: MetricsTotals) => string }[] = [
  { label: 'Enqueued', value: (t) => formatValue('count', t.counts.enqueued) },
  { label: 'Started', value: (t) => formatValue('count', t.counts.started) },
  { label: 'Completed', value: (t) => formatValue('count', t.counts.completed) },
  { label: 'Failed', value: (t) => formatValue('count', t.counts.failed) },
  { label: 'Retried', value: (t) => formatValue('count', t.counts.retried) },
  { label: 'Timed out', value: (t) => formatValue('count', t.counts.timedOut) },
  { label: 'Cancelled', value: (t) => formatValue('count', t.counts.cancelled) },
  { label: 'Failure rate', value: (t) => formatValue('fraction', t.failureRate) },
  { label: 'Run p50', value: (t) => formatValue('duration', t.runTime.p50) },
  { label: 'Run p95', value: (t) => formatValue('duration', t.runTime.p95) },
  { label: 'Run p99', value: (t) => formatValue('duration', t.runTime.p99) },
  { label: 'Wait p50', value: (t) => formatValue('duration', t.queueWait.p50) },
  { label: 'Wait p95', value: (t) => formatValue('duration', t.queueWait.p95) },
  { label: 'Wait p99', value: (t) => formatValue('duration', t.queueWait.p99) },
];

export function groupTable(result: MetricsResult, groupBy: StatsGroupBy): HTMLElement {
  const rows = groupRows(result);
  const noun = groupBy === 'queue' ? 'Queue' : 'Worker';
  if (rows.length === 0) return el('p', { class: 'muted', text: `No ${groupBy} had events in this range.` });
  const table = el(
    'table',
    { class: 'group-table', attrs: { 'data-group-by': groupBy } },
    el('caption', { class: 'visually-hidden', text: `Per ${groupBy}: counts, failure rate and percentiles over the range` }),
    el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' }, text: noun }), ...COLUMNS.map((c) => el('th', { attrs: { scope: 'col' }, class: 'num', text: c.label })))),
  );
  const body = el('tbody');
  append(body, ...rows.map((row) => el('tr', {}, el('th', { attrs: { scope: 'row' }, text: row.group }), ...COLUMNS.map((c) => el('td', { class: 'num', text: c.value(row.totals) })))));
  table.appendChild(body);
  return el('div', { class: 'data-table-scroll' }, table);
}
