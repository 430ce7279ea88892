import type { JobEvent } from '../model/event';
import { recordFromEvent } from '../index/indexRecord';
import { JobIndex } from '../index/jobIndex';

/**
 * The analytics dashboard's figures, counted per JOB from what the index holds (so they follow
 * deletions and evictions, and agree with the trees), except `eventsSeen`.
 */
export interface JobStats {
  /** Jobs that started at least one attempt. */
  jobsStarted: number;
  /** Jobs whose status is running: started, no outcome yet. */
  jobsRunning: number;
  /** Jobs whose status is completed. */
  jobsCompleted: number;
  /** Jobs whose status is failed. */
  jobsFailed: number;
  /** Sum of the completed jobs' last `duration_ms`. */
  totalDurationMs: number;
  /** `totalDurationMs` over the completed jobs that gave a duration; null when none did. */
  averageDurationMs: number | null;
  /** Jobs per worker: the worker named last by a job's events. */
  workerUsage: Record<string, number>;
  /** Jobs per queue: the queue named last by a job's events. */
  queueUsage: Record<string, number>;
  /** Job events the index holds (an undecodable payload on a job's subject included). */
  eventsSeen: number;
}

export function emptyStats(): JobStats {
  return {
    jobsStarted: 0,
    jobsRunning: 0,
    jobsCompleted: 0,
    jobsFailed: 0,
    totalDurationMs: 0,
    averageDurationMs: null,
    workerUsage: {},
    queueUsage: {},
    eventsSeen: 0,
  };
}

/** Stats built by `addToStats`, each with the index of the events it was given. */
const indexes = new WeakMap<JobStats, JobIndex>();

/**
 * Folds one event, in stream order, into `stats`, in place. The events go through an index of their
 * own, the very code the backend's index runs, so that a reader of events (the CLI) and the backend
 * count alike.
 */
export function addToStats(stats: JobStats, event: JobEvent): JobStats {
  let index = indexes.get(stats);
  if (!index) {
    index = new JobIndex(Number.POSITIVE_INFINITY);
    indexes.set(stats, index);
  }
  index.apply(recordFromEvent(event));
  return Object.assign(stats, index.stats);
}

/** The stats of events read in stream order. */
export function statsOf(events: Iterable<JobEvent>): JobStats {
  return JobIndex.of(events).stats;
}
