/**
 * Metrics over time: counts, failure rate and run-time and queue-wait percentiles per time step.
 * Self-contained wire types: nothing here comes from the server's internals.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

export type MetricsGroupBy = 'none' | 'queue' | 'worker';

export type MetricsMeasure = 'counts' | 'failureRate' | 'runTime' | 'queueWait';

export const METRICS_MEASURES: readonly MetricsMeasure[] = ['counts', 'failureRate', 'runTime', 'queueWait'];

export const METRICS_COUNTED = ['enqueued', 'started', 'completed', 'failed', 'retried', 'timedOut', 'cancelled'] as const;

export type MetricsCountedType = (typeof METRICS_COUNTED)[number];

export interface MetricsQuery {
  /** Epoch seconds, inclusive. */
  from: number;
  /** Epoch seconds, exclusive. */
  to: number;
  /** Seconds per point; the answer's `step` may be coarser where only hourly buckets remain. */
  step: number;
  groupBy: MetricsGroupBy;
  /** Default: all of them. */
  measures?: MetricsMeasure[];
}

/** Milliseconds; null where the range holds no value. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricsTotals {
  counts: Record<MetricsCountedType, number>;
  /** Failed or timed out out of all ended attempts; null when none ended. */
  failureRate: number | null;
  runTime: Percentiles;
  queueWait: Percentiles;
}

export interface MetricsSeries {
  /** The queue or worker; null for `groupBy: 'none'`. */
  group: string | null;
  /** One array per counted type, a value per point (present when `counts` was asked for). */
  counts?: Record<MetricsCountedType, number[]>;
  failureRate?: (number | null)[];
  runTime?: Percentiles[];
  queueWait?: Percentiles[];
  /** Over the whole range. */
  totals: MetricsTotals;
}

export interface MetricsResult {
  from: number;
  to: number;
  /** Seconds per point as answered: 60 s buckets cover the last 24 h, hourly ones the stream's retention. */
  step: number;
  /** Start of each point, epoch seconds. */
  times: number[];
  series: MetricsSeries[];
}

export namespace MetricsQueryRequest {
  /** Client → server: the aggregates over a range, merged per step and group. */
  export const method = 'metrics/query';
  export const type = new RequestType<MetricsQuery, MetricsResult, void>(method);
}

/** Sent (at most once a second) when events arrive: an open range re-queries what it shows. */
export interface MetricsChanged {
  /** Epoch seconds spanning the events that changed the aggregates. */
  from: number;
  to: number;
}

export namespace MetricsChangedNotification {
  /** Server → client: events changed the aggregates over this range. */
  export const method = 'metrics/changed';
  export const type = new NotificationType<MetricsChanged>(method);
}
