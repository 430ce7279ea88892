/** Every event type the seed design names, plus those the published Python NAQ writes. */
export const JobEventType = {
  // Job lifecycle
  ENQUEUED: 'enqueued',
  DEQUEUED: 'dequeued',
  STARTED: 'started',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  PAUSED: 'paused',
  RESUMED: 'resumed',
  // Retries
  RETRY_SCHEDULED: 'retry_scheduled',
  RETRY_STARTED: 'retry_started',
  MAX_RETRIES_EXCEEDED: 'max_retries_exceeded',
  // Dependencies
  DEPENDENCY_SATISFIED: 'dependency_satisfied',
  DEPENDENCY_FAILED: 'dependency_failed',
  WAITING_FOR_DEPENDENCIES: 'waiting_for_dependencies',
  // Schedules
  SCHEDULED: 'scheduled',
  SCHEDULE_TRIGGERED: 'schedule_triggered',
  SCHEDULE_PAUSED: 'schedule_paused',
  SCHEDULE_RESUMED: 'schedule_resumed',
  SCHEDULE_DEACTIVATED: 'schedule_deactivated',
  SCHEDULE_CANCELLED: 'schedule_cancelled',
  SCHEDULE_MODIFIED: 'schedule_modified',
  SCHEDULER_ERROR: 'scheduler_error',
  // Worker assignment
  WORKER_ASSIGNED: 'worker_assigned',
  WORKER_RELEASED: 'worker_released',
  // Queue
  QUEUE_PRIORITY_CHANGED: 'queue_priority_changed',
  QUEUE_MOVED: 'queue_moved',
  // TTL
  TTL_EXPIRED: 'ttl_expired',
  TTL_EXTENDED: 'ttl_extended',
  // Worker lifecycle, stored under job id `worker:{id}`
  WORKER_STARTED: 'worker_started',
  WORKER_STOPPED: 'worker_stopped',
  WORKER_IDLE: 'worker_idle',
  WORKER_BUSY: 'worker_busy',
  WORKER_HEARTBEAT: 'worker_heartbeat',
  WORKER_ERROR: 'worker_error',
} as const;

export type KnownEventType = (typeof JobEventType)[keyof typeof JobEventType];

/** A type string read from the stream: one we know, or one a newer producer wrote, kept as is. */
export type EventType = KnownEventType | (string & {});

export const KNOWN_EVENT_TYPES: readonly KnownEventType[] = Object.values(JobEventType);

const known = new Set<string>(KNOWN_EVENT_TYPES);

export function isKnownEventType(type: string): type is KnownEventType {
  return known.has(type);
}

export type EventFamily = 'lifecycle' | 'retry' | 'dependency' | 'schedule' | 'worker' | 'queue' | 'ttl' | 'unknown';

const families: Record<KnownEventType, EventFamily> = {
  enqueued: 'lifecycle',
  dequeued: 'lifecycle',
  started: 'lifecycle',
  completed: 'lifecycle',
  failed: 'lifecycle',
  cancelled: 'lifecycle',
  timeout: 'lifecycle',
  paused: 'lifecycle',
  resumed: 'lifecycle',
  retry_scheduled: 'retry',
  retry_started: 'retry',
  max_retries_exceeded: 'retry',
  dependency_satisfied: 'dependency',
  dependency_failed: 'dependency',
  waiting_for_dependencies: 'dependency',
  scheduled: 'schedule',
  schedule_triggered: 'schedule',
  schedule_paused: 'schedule',
  schedule_resumed: 'schedule',
  schedule_deactivated: 'schedule',
  schedule_cancelled: 'schedule',
  schedule_modified: 'schedule',
  scheduler_error: 'schedule',
  worker_assigned: 'worker',
  worker_released: 'worker',
  queue_priority_changed: 'queue',
  queue_moved: 'queue',
  ttl_expired: 'ttl',
  ttl_extended: 'ttl',
  worker_started: 'worker',
  worker_stopped: 'worker',
  worker_idle: 'worker',
  worker_busy: 'worker',
  worker_heartbeat: 'worker',
  worker_error: 'worker',
};

export function eventFamily(type: EventType): EventFamily {
  return isKnownEventType(type) ? families[type] : 'unknown';
}

/** Types after which a job is not expected to log more (until a retry starts it again). */
const failureTypes = new Set<string>([
  JobEventType.FAILED,
  JobEventType.TIMEOUT,
  JobEventType.MAX_RETRIES_EXCEEDED,
  JobEventType.DEPENDENCY_FAILED,
  JobEventType.TTL_EXPIRED,
  JobEventType.SCHEDULER_ERROR,
  JobEventType.WORKER_ERROR,
]);

export function isFailureType(type: EventType): boolean {
  return failureTypes.has(type);
}
