/**
 * The per-queue or per-worker table: over the range shown, each group's counts per event type,
 * failure rate and run-time and queue-wait percentiles, busiest first.
 */
import * as l10n from '@vscode/l10n';
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

interface Column {
  label: string;
  value: (t: MetricsTotals) => string;
}

/** The table's columns; made when a table is, once the page's translation bundle is configured. */
function columns(): Column[] {
  return [
    { label: l10n.t('Enqueued'), value: (t) => formatValue('count', t.counts.enqueued) },
    { label: l10n.t('Started'), value: (t) => formatValue('count', t.counts.started) },
    { label: l10n.t('Completed'), value: (t) => formatValue('count', t.counts.completed) },
    { label: l10n.t('Failed'), value: (t) => formatValue('count', t.counts.failed) },
    { label: l10n.t('Retried'), value: (t) => formatValue('count', t.counts.retried) },
    { label: l10n.t('Timed out'), value: (t) => formatValue('count', t.counts.timedOut) },
    { label: l10n.t('Cancelled'), value: (t) => formatValue('count', t.counts.cancelled) },
    { label: l10n.t('Failure rate'), value: (t) => formatValue('fraction', t.failureRate) },
    { label: l10n.t('Run p50'), value: (t) => formatValue('duration', t.runTime.p50) },
    { label: l10n.t('Run p95'), value: (t) => formatValue('duration', t.runTime.p95) },
    { label: l10n.t('Run p99'), value: (t) => formatValue('duration', t.runTime.p99) },
    { label: l10n.t('Wait p50'), value: (t) => formatValue('duration', t.queueWait.p50) },
    { label: l10n.t('Wait p95'), value: (t) => formatValue('duration', t.queueWait.p95) },
    { label: l10n.t('Wait p99'), value: (t) => formatValue('duration', t.queueWait.p99) },
  ];
}

export function groupTable(result: MetricsResult, groupBy: StatsGroupBy): HTMLElement {
  const rows = groupRows(result);
  const byQueue = groupBy === 'queue';
  if (rows.length === 0) return el('p', { class: 'muted', text: byQueue ? l10n.t('No queue had events in this range.') : l10n.t('No worker had events in this range.') });
  const cols = columns();
  const table = el(
    'table',
    { class: 'group-table', attrs: { 'data-group-by': groupBy } },
    el('caption', {
      class: 'visually-hidden',
      text: byQueue ? l10n.t('Per queue: counts, failure rate and percentiles over the range') : l10n.t('Per worker: counts, failure rate and percentiles over the range'),
    }),
    el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' }, text: byQueue ? l10n.t('Queue') : l10n.t('Worker') }), ...cols.map((c) => el('th', { attrs: { scope: 'col' }, class: 'num', text: c.label })))),
  );
  const body = el('tbody');
  append(body, ...rows.map((row) => el('tr', {}, el('th', { attrs: { scope: 'row' }, text: row.group }), ...cols.map((c) => el('td', { class: 'num', text: c.value(row.totals) })))));
  table.appendChild(body);
  return el('div', { class: 'data-table-scroll' }, table);
}
