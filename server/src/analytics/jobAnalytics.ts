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
  stats.eventsSeen++;
  switch (event.event_type) {
    case 'started':
      stats.jobsStarted++;
      if (event.worker_id) stats.workerUsage[event.worker_id] = (stats.workerUsage[event.worker_id] ?? 0) + 1;
      break;
    case 'completed':
      stats.jobsCompleted++;
      if (event.duration_ms !== null) stats.totalDurationMs += event.duration_ms;
      stats.averageDurationMs = stats.totalDurationMs / stats.jobsCompleted;
      break;
    case 'failed':
      stats.jobsFailed++;
      break;
    case 'enqueued':
      if (event.queue_name) stats.queueUsage[event.queue_name] = (stats.queueUsage[event.queue_name] ?? 0) + 1;
      break;
  }
  return stats;
}
