import { addToStats, emptyStats } from '../../analytics/jobAnalytics';
import { recordFromEvent } from '../../index/indexRecord';
import { MetricsStore } from '../../metrics/metricsStore';
import type { MetricsGroupBy, MetricsSeries, Percentiles } from '../../protocol/metrics';
import type { EventStorage } from '../../storage/eventStorage';
import type { CliArgs } from '../args';
import { UsageError } from '../usage';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `90s`, `15m`, `1h`, `7d`: that long before now; or an ISO date. Epoch seconds. */
function timeArg(value: string, option: string, now: number): number {
  const relative = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  if (relative) return now - Number(relative[1]) * (UNITS[relative[2] as string] as number);
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new UsageError(`--${option} must be a duration before now (90s, 15m, 1h, 7d) or an ISO date, got "${value}"`);
  return date / 1000;
}

function ms(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)}ms`;
}

function percentileLine(name: string, p: Percentiles): string {
  return `${name}: p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  p99 ${ms(p.p99)}  (${p.count} values)`;
}

function printSeries(series: MetricsSeries, print: (line: string) => void): void {
  const { counts, failureRate, runTime, queueWait } = series.totals;
  print(`--- ${series.group ?? 'All jobs'} ---`);
  print(Object.entries(counts).map(([type, count]) => `${type} ${count}`).join(', '));
  print(`Failure rate: ${failureRate === null ? '-' : `${(failureRate * 100).toFixed(1)}%`}`);
  print(percentileLine('Run time', runTime));
  print(percentileLine('Queue wait', queueWait));
}

/** With `--since`: the same aggregates and percentiles as the backend's metrics; without: the seed's totals. */
export async function stats(storage: EventStorage, args: CliArgs, print: (line: string) => void): Promise<void> {
  const { events } = await storage.list();
  const { since, until, by } = args.values;
  if (typeof since === 'string') {
    const now = Date.now() / 1000;
    const from = timeArg(since, 'since', now);
    const to = typeof until === 'string' ? timeArg(until, 'until', now) : now;
    if (to <= from) throw new UsageError('--until must be after --since');
    if (by !== undefined && by !== 'queue' && by !== 'worker') throw new UsageError(`--by must be queue or worker, got "${String(by)}"`);
    const groupBy: MetricsGroupBy = by ?? 'none';
    const store = new MetricsStore({ retention: Math.max(7 * 86_400, now - from + 3_600), now: () => now });
    for (const event of events) store.apply(recordFromEvent(event));
    // Totals cover the whole answer: minute buckets where they still exist (the last 24 h), else hourly ones.
    const result = store.query({ from, to, step: 60, groupBy, measures: [] });
    if (args.values.json) {
      print(JSON.stringify({ from, to, groupBy, groups: result.series.map((s) => ({ group: s.group, ...s.totals })) }, null, 2));
      return;
    }
    for (const series of result.series) printSeries(series, print);
    return;
  }
  if (until !== undefined || by !== undefined) throw new UsageError('--until and --by need --since');
  const metrics = emptyStats();
  for (const event of events) addToStats(metrics, event);
  if (args.values.json) {
    print(JSON.stringify(metrics, null, 2));
    return;
  }
  print('--- Job Metrics ---');
  print(`Started: ${metrics.jobsStarted}`);
  print(`Completed: ${metrics.jobsCompleted}`);
  print(`Failed: ${metrics.jobsFailed}`);
  if (metrics.averageDurationMs !== null) print(`Average Duration: ${metrics.averageDurationMs.toFixed(2)}ms`);
  print(`Worker Usage: ${JSON.stringify(metrics.workerUsage)}`);
  print(`Queue Usage: ${JSON.stringify(metrics.queueUsage)}`);
}
