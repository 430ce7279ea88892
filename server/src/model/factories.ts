import { isoTime } from '../shared/time';
import { createEvent, JobEvent, JobEventInit, workerJobId } from './event';
import { JobEventType } from './eventType';

/** The seed's `**kwargs`: any other field of the event. */
export type Extra = Partial<Omit<JobEventInit, 'job_id' | 'event_type'>>;

function ms(value: number): string {
  return value.toFixed(2);
}

/** What the seed reads from a Python exception: `type(error).__name__` and `str(error)`. */
export interface ErrorLike {
  name: string;
  message: string;
  stack?: string;
}

function withDetails(extra: Extra, details: Record<string, unknown>): Record<string, unknown> {
  return { ...details, ...(extra.details ?? {}) };
}

/** Factories for every event family, with the seed's messages. */
export const JobEvents = {
  enqueued(jobId: string, queueName: string, priority = 0, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job enqueued to '${queueName}' with priority ${priority}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.ENQUEUED,
      queue_name: queueName,
      details: withDetails(extra, { priority }),
    });
  },

  dequeued(jobId: string, queueName: string, workerId: string | null = null, extra: Extra = {}): JobEvent {
    return createEvent({
      message: workerId ? `Job dequeued from '${queueName}' by worker ${workerId}` : `Job dequeued from '${queueName}'`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.DEQUEUED,
      queue_name: queueName,
      worker_id: workerId,
    });
  },

  started(jobId: string, workerId: string, workerType: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job started on ${workerType} worker ${workerId}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.STARTED,
      worker_id: workerId,
      worker_type: workerType,
    });
  },

  completed(jobId: string, workerId: string, durationMs: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job completed successfully in ${ms(durationMs)}ms`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.COMPLETED,
      worker_id: workerId,
      duration_ms: durationMs,
    });
  },

  failed(jobId: string, workerId: string, error: ErrorLike, durationMs: number, retryCount = 0, extra: Extra = {}): JobEvent {
    const details: Record<string, unknown> = { retry_count: retryCount };
    if (error.stack) details.traceback = error.stack;
    return createEvent({
      message: `Job failed after ${ms(durationMs)}ms (retry ${retryCount})`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.FAILED,
      worker_id: workerId,
      duration_ms: durationMs,
      error_type: error.name,
      error_message: error.message,
      details: withDetails(extra, details),
    });
  },

  cancelled(jobId: string, reason: string | null = null, extra: Extra = {}): JobEvent {
    return createEvent({
      message: reason ? `Job cancelled: ${reason}` : 'Job cancelled',
      ...extra,
      job_id: jobId,
      event_type: JobEventType.CANCELLED,
      details: withDetails(extra, reason ? { reason } : {}),
    });
  },

  timeout(jobId: string, workerId: string, timeoutSeconds: number, durationMs: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job timed out after ${ms(durationMs)}ms (limit ${timeoutSeconds}s)`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.TIMEOUT,
      worker_id: workerId,
      duration_ms: durationMs,
      error_type: 'TimeoutError',
      error_message: `Job exceeded its timeout of ${timeoutSeconds}s`,
      details: withDetails(extra, { timeout_seconds: timeoutSeconds }),
    });
  },

  retryScheduled(jobId: string, retryCount: number, delaySeconds: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Retry ${retryCount} scheduled in ${delaySeconds}s`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.RETRY_SCHEDULED,
      details: withDetails(extra, { retry_count: retryCount, delay_seconds: delaySeconds }),
    });
  },

  retryStarted(jobId: string, workerId: string, retryCount: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Retry ${retryCount} started on worker ${workerId}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.RETRY_STARTED,
      worker_id: workerId,
      details: withDetails(extra, { retry_count: retryCount }),
    });
  },

  maxRetriesExceeded(jobId: string, maxRetries: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job failed permanently after ${maxRetries} retries`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.MAX_RETRIES_EXCEEDED,
      details: withDetails(extra, { max_retries: maxRetries }),
    });
  },

  dependencySatisfied(jobId: string, dependencyId: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Dependency '${dependencyId}' satisfied`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.DEPENDENCY_SATISFIED,
      details: withDetails(extra, { dependency_id: dependencyId }),
    });
  },

  dependencyFailed(jobId: string, dependencyId: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Dependency '${dependencyId}' failed`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.DEPENDENCY_FAILED,
      details: withDetails(extra, { dependency_id: dependencyId }),
    });
  },

  waitingForDependencies(jobId: string, dependencyIds: string[], extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Waiting for ${dependencyIds.length} dependencies`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.WAITING_FOR_DEPENDENCIES,
      details: withDetails(extra, { dependency_ids: dependencyIds }),
    });
  },

  scheduled(jobId: string, scheduledFor: number, cron: string | null = null, extra: Extra = {}): JobEvent {
    return createEvent({
      message: cron
        ? `Job scheduled with cron '${cron}', next run at ${isoTime(scheduledFor)}`
        : `Job scheduled for ${isoTime(scheduledFor)}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.SCHEDULED,
      details: withDetails(extra, cron ? { scheduled_for: scheduledFor, cron } : { scheduled_for: scheduledFor }),
    });
  },

  scheduleChanged(
    jobId: string,
    type:
      | typeof JobEventType.SCHEDULE_TRIGGERED
      | typeof JobEventType.SCHEDULE_PAUSED
      | typeof JobEventType.SCHEDULE_RESUMED
      | typeof JobEventType.SCHEDULE_DEACTIVATED
      | typeof JobEventType.SCHEDULE_CANCELLED
      | typeof JobEventType.SCHEDULE_MODIFIED,
    extra: Extra = {},
  ): JobEvent {
    const verb = type.replace('schedule_', '');
    return createEvent({ message: `Schedule ${verb}`, ...extra, job_id: jobId, event_type: type });
  },

  workerAssigned(jobId: string, workerId: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job assigned to worker ${workerId}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.WORKER_ASSIGNED,
      worker_id: workerId,
    });
  },

  workerReleased(jobId: string, workerId: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job released by worker ${workerId}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.WORKER_RELEASED,
      worker_id: workerId,
    });
  },

  queuePriorityChanged(jobId: string, queueName: string, oldPriority: number, newPriority: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Priority changed from ${oldPriority} to ${newPriority}`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.QUEUE_PRIORITY_CHANGED,
      queue_name: queueName,
      details: withDetails(extra, { old_priority: oldPriority, new_priority: newPriority }),
    });
  },

  queueMoved(jobId: string, fromQueue: string, toQueue: string, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job moved from '${fromQueue}' to '${toQueue}'`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.QUEUE_MOVED,
      queue_name: toQueue,
      details: withDetails(extra, { from_queue: fromQueue, to_queue: toQueue }),
    });
  },

  ttlExpired(jobId: string, ttlSeconds: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job expired after its TTL of ${ttlSeconds}s`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.TTL_EXPIRED,
      details: withDetails(extra, { ttl_seconds: ttlSeconds }),
    });
  },

  ttlExtended(jobId: string, ttlSeconds: number, extra: Extra = {}): JobEvent {
    return createEvent({
      message: `Job TTL extended to ${ttlSeconds}s`,
      ...extra,
      job_id: jobId,
      event_type: JobEventType.TTL_EXTENDED,
      details: withDetails(extra, { ttl_seconds: ttlSeconds }),
    });
  },

  workerLifecycle(
    workerId: string,
    type:
      | typeof JobEventType.WORKER_STARTED
      | typeof JobEventType.WORKER_STOPPED
      | typeof JobEventType.WORKER_IDLE
      | typeof JobEventType.WORKER_BUSY
      | typeof JobEventType.WORKER_HEARTBEAT
      | typeof JobEventType.WORKER_ERROR,
    extra: Extra = {},
  ): JobEvent {
    return createEvent({
      message: `Worker ${workerId} ${type.replace('worker_', '')}`,
      ...extra,
      job_id: workerJobId(workerId),
      event_type: type,
      worker_id: workerId,
    });
  },
};
