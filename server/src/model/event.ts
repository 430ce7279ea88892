import type { EventType } from './eventType';

/**
 * One job lifecycle event, field for field the seed's `JobEvent` msgspec struct.
 * Field names are the wire names: they are what Python NAQ reads and writes.
 */
export interface JobEvent {
  job_id: string;
  event_type: EventType;
  /** Epoch seconds, as a float. */
  timestamp: number;
  worker_id: string | null;
  worker_type: string | null;
  queue_name: string | null;
  message: string | null;
  details: Record<string, unknown>;
  error_type: string | null;
  error_message: string | null;
  duration_ms: number | null;
  memory_mb: number | null;
  cpu_time_ms: number | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown>;
  nats_subject: string | null;
  nats_sequence: number | null;
}

/** The seed layout's field order, which msgspec writes. */
export const SEED_FIELDS = [
  'job_id',
  'event_type',
  'timestamp',
  'worker_id',
  'worker_type',
  'queue_name',
  'message',
  'details',
  'error_type',
  'error_message',
  'duration_ms',
  'memory_mb',
  'cpu_time_ms',
  'tags',
  'metadata',
  'nats_subject',
  'nats_sequence',
] as const satisfies readonly (keyof JobEvent)[];

/** What a caller must give; every other field has the seed's default. */
export type JobEventInit = Pick<JobEvent, 'job_id' | 'event_type'> & Partial<Omit<JobEvent, 'job_id' | 'event_type'>>;

export function nowSeconds(): number {
  return Date.now() / 1000;
}

export function createEvent(init: JobEventInit): JobEvent {
  return {
    job_id: init.job_id,
    event_type: init.event_type,
    timestamp: init.timestamp ?? nowSeconds(),
    worker_id: init.worker_id ?? null,
    worker_type: init.worker_type ?? null,
    queue_name: init.queue_name ?? null,
    message: init.message ?? null,
    details: init.details ?? {},
    error_type: init.error_type ?? null,
    error_message: init.error_message ?? null,
    duration_ms: init.duration_ms ?? null,
    memory_mb: init.memory_mb ?? null,
    cpu_time_ms: init.cpu_time_ms ?? null,
    tags: init.tags ?? {},
    metadata: init.metadata ?? {},
    nats_subject: init.nats_subject ?? null,
    nats_sequence: init.nats_sequence ?? null,
  };
}

/** Job id under which the published NAQ stores a worker's own lifecycle events. */
export function workerJobId(workerId: string): string {
  return `worker:${workerId}`;
}

export function isWorkerJobId(jobId: string): boolean {
  return jobId.startsWith('worker:');
}
