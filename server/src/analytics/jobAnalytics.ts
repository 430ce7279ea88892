import type { JobEvent } from '../model/event';

/** The seed's analytics dashboard metrics. */
export interface JobStats {
  jobsStarted: number;
  jobsCompleted: number;
  jobsFailed: number;
  totalDurationMs: number;
  /** Total duration over completed jobs, as the seed computes it; null before the first completion. */
  averageDurationMs: number | null;
  /** Started jobs per worker. */
  workerUsage: Record<string, number>;
  /** Enqueued jobs per queue. */
  queueUsage: Record<string, number>;
  /** Events indexed; those deleted through NAQ are taken back, those that expire are not. */
  eventsSeen: number;
}

export function emptyStats(): JobStats {
  return {
    jobsStarted: 0,
    jobsCompleted: 0,
    jobsFailed: 0,
    totalDurationMs: 0,
    averageDurationMs: null,
    workerUsage: {},
    queueUsage: {},
    eventsSeen: 0,
  };
}

/** The fields the metrics read; the index passes them without decoding whole events. */
export type StatsInput = Pick<JobEvent, 'event_type' | 'worker_id' | 'queue_name' | 'duration_ms'>;

/** Folds one event into the metrics, in place, as the seed's `update_metrics` handler does. */
export function addToStats(stats: JobStats, event: StatsInput): JobStats {
  return fold(stats, event.event_type, event.worker_id, event.queue_name, event.duration_ms, 1);
}

/** `addToStats` for the index, which has the fields at hand: no object per event. */
export function countEvent(stats: JobStats, type: string, worker: string | null, queue: string | null, durationMs: number | null): void {
  fold(stats, type, worker, queue, durationMs, 1);
}

/** Takes back what `addToStats` counted for an event that was deleted from the stream. */
export function removeFromStats(stats: JobStats, event: StatsInput): JobStats {
  return fold(stats, event.event_type, event.worker_id, event.queue_name, event.duration_ms, -1);
}

function bump(usage: Record<string, number>, key: string, delta: 1 | -1): void {
  const next = (usage[key] ?? 0) + delta;
  if (next > 0) usage[key] = next;
  else delete usage[key];
}

function fold(stats: JobStats, type: string, worker: string | null, queue: string | null, durationMs: number | null, delta: 1 | -1): JobStats {
  stats.eventsSeen += delta;
  switch (type) {
    case 'started':
      stats.jobsStarted += delta;
      if (worker) bump(stats.workerUsage, worker, delta);
      break;
    case 'completed':
      stats.jobsCompleted += delta;
      if (durationMs !== null) stats.totalDurationMs += delta * durationMs;
      stats.averageDurationMs = stats.jobsCompleted > 0 ? stats.totalDurationMs / stats.jobsCompleted : null;
      break;
    case 'failed':
      stats.jobsFailed += delta;
      break;
    case 'enqueued':
      if (queue) bump(stats.queueUsage, queue, delta);
      break;
  }
  return stats;
}
