import { recordFromEvent } from '../index/indexRecord';
import type { JobEvent } from '../model/event';
import type { MetricsChanged, MetricsResult } from '../protocol/metrics';
import type { StreamHandler } from '../processor/streamHandlers';
import type { MetricRecord } from './jobClock';
import { metricsQuery } from './metricsParams';
import { MetricsStore } from './metricsStore';

/**
 * The backend's metrics: fed the records the index applies, told of deletions and expiry, and
 * telling the editor, at most once per `intervalMs`, which span of time changed. A stream handler of
 * the index for its snapshot and resets only: the records come already parsed, from `applied`.
 */
export class MetricsFeed implements StreamHandler {
  readonly name = 'metrics';
  private current = new MetricsStore();
  private lastSeq = 0;
  private pending: MetricsChanged | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly notify: (changed: MetricsChanged) => void,
    private readonly intervalMs = 1_000,
  ) {}

  get store(): MetricsStore {
    return this.current;
  }

  applied(record: MetricRecord): void {
    // The index only goes back in the stream when it starts again from nothing (a recreated stream).
    if (record.seq <= this.lastSeq) this.store.reset();
    this.lastSeq = record.seq;
    this.store.apply(record);
    this.changed(record.time, record.time);
  }

  /** `events`: the deleted job's, in stream order, read before they were deleted. */
  removeJob(jobId: string, events: readonly JobEvent[]): void {
    if (events.length === 0) return;
    const records = events.map(recordFromEvent);
    this.store.removeJob(jobId, records);
    this.changed(Math.min(...records.map((r) => r.time)), Math.max(...records.map((r) => r.time)));
  }

  /** The stream's first sequence, as last seen: what lies below it expired or was purged. */
  streamStarts(firstSeq: number): void {
    if (this.store.forgetBelow(firstSeq) > 0) this.changed(0, Date.now() / 1000);
  }

  query(params: unknown): MetricsResult {
    return this.store.query(metricsQuery(params));
  }

  reset(): void {
    this.store.reset();
    this.lastSeq = 0;
  }

  onReset(): void {
    this.reset();
  }

  saveState(): Uint8Array {
    return this.store.saveState();
  }

  /** Replaces the store only once the state is read whole. */
  restoreState(state: Uint8Array, lastSeq: number): void {
    this.current = MetricsStore.restored(state);
    this.lastSeq = lastSeq;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private changed(from: number, to: number): void {
    this.pending = this.pending ? { from: Math.min(this.pending.from, from), to: Math.max(this.pending.to, to) } : { from, to };
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const pending = this.pending;
      this.pending = undefined;
      if (pending) this.notify(pending);
    }, this.intervalMs);
  }
}
