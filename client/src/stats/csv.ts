/**
 * The dashboard's series as CSV (RFC 4180): one row per point, one column per series shown. Pure:
 * unit-tested in node; the panel writes it where the save dialog says.
 */
import { METRICS_COUNTED, type MetricsResult, type MetricsSeries, type Percentiles } from '../../../server/src/protocol/protocol';

/** A field quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const QUANTILES = ['p50', 'p95', 'p99'] as const;

function columnsOf(series: MetricsSeries): { header: string; value: (i: number) => number | null }[] {
  const prefix = series.group === null ? '' : `${series.group}:`;
  const columns: { header: string; value: (i: number) => number | null }[] = [];
  const counts = series.counts;
  if (counts) for (const type of METRICS_COUNTED) columns.push({ header: `${prefix}${type}`, value: (i) => counts[type][i] ?? 0 });
  const rate = series.failureRate;
  if (rate) columns.push({ header: `${prefix}failure_rate`, value: (i) => rate[i] ?? null });
  const timing = (name: string, values: Percentiles[] | undefined) => {
    if (!values) return;
    for (const q of QUANTILES) columns.push({ header: `${prefix}${name}_${q}_ms`, value: (i) => values[i]?.[q] ?? null });
  };
  timing('run_time', series.runTime);
  timing('queue_wait', series.queueWait);
  return columns;
}

/** Rows start with the point's start as ISO 8601 UTC and as epoch seconds; CRLF line ends. */
export function metricsCsv(result: MetricsResult): string {
  const columns = result.series.flatMap(columnsOf);
  const lines = [['time', 'epoch_seconds', ...columns.map((c) => c.header)].map(csvField).join(',')];
  result.times.forEach((time, i) => {
    lines.push([new Date(time * 1000).toISOString(), time, ...columns.map((c) => c.value(i))].map(csvField).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
