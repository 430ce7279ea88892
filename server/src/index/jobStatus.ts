import type { EventType } from '../model/eventType';

export const JOB_STATUSES = [
  'queued',
  'scheduled',
  'waiting',
  'running',
  'retrying',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'unknown',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

/** The status an event moves a job to; undefined leaves it where it was. */
const transitionTable: Partial<Record<EventType, JobStatus>> = {
  enqueued: 'queued',
  dequeued: 'queued',
  dependency_satisfied: 'queued',
  queue_moved: 'queued',
  started: 'running',
  retry_started: 'running',
  resumed: 'running',
  worker_assigned: 'running',
  completed: 'completed',
  failed: 'failed',
  timeout: 'failed',
  max_retries_exceeded: 'failed',
  dependency_failed: 'failed',
  retry_scheduled: 'retrying',
  waiting_for_dependencies: 'waiting',
  scheduled: 'scheduled',
  schedule_triggered: 'queued',
  schedule_paused: 'paused',
  paused: 'paused',
  schedule_resumed: 'scheduled',
  schedule_modified: 'scheduled',
  schedule_deactivated: 'cancelled',
  schedule_cancelled: 'cancelled',
  cancelled: 'cancelled',
  ttl_expired: 'expired',
};

/** A Map, not the object itself: an event type named `toString` or `__proto__` must not find Object.prototype's members. */
const transitions = new Map(Object.entries(transitionTable)) as ReadonlyMap<EventType, JobStatus>;

/** The status `type` moves a job to, or undefined when it leaves the status as it was. */
export function transitionOf(type: EventType): JobStatus | undefined {
  return transitions.get(type);
}

export function statusAfter(current: JobStatus, type: EventType): JobStatus {
  return transitions.get(type) ?? current;
}
