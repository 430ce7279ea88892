/** Job events as they travel to the client, and emitting new ones. */
import { RequestType } from 'vscode-languageserver-protocol';

/** One job lifecycle event, with the stream's field names (those Python NAQ reads and writes). */
export interface JobEvent {
  job_id: string;
  /** A known type, or one a newer producer wrote, kept as is. */
  event_type: string;
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

/** What an emitter must give; every other field has the seed's default. */
export type JobEventInit = Pick<JobEvent, 'job_id' | 'event_type'> & Partial<Omit<JobEvent, 'job_id' | 'event_type'>>;

/** An event the backend could not decode, in place of it. */
export interface DecodeProblem {
  seq: number | null;
  subject: string | null;
  message: string;
}

/** Where, under a job, an event sits in the subject hierarchy. */
export type SubjectShape =
  | { kind: 'basic' }
  | { kind: 'lifecycle' }
  | { kind: 'system' }
  | { kind: 'worker'; workerId: string }
  | { kind: 'queue'; queueName: string }
  | { kind: 'retry'; retryCount: number }
  | { kind: 'schedule'; scheduleName: string };

export interface EmitParams {
  event: JobEventInit;
  shape?: SubjectShape;
}

export interface EmitResult {
  seq: number;
  subject: string;
}

export namespace EmitRequest {
  /** Client → server: store one event in the stream. */
  export const method = 'events/emit';
  export const type = new RequestType<EmitParams, EmitResult, void>(method);
}

export type LifecycleScenario = 'success' | 'failure-with-retries' | 'timeout' | 'cancellation' | 'schedule';

export interface LifecycleParams {
  scenario: LifecycleScenario;
  jobId?: string;
  queue?: string;
  worker?: string;
}

export interface LifecycleResult {
  jobId: string;
  events: EmitResult[];
}

export namespace EmitLifecycleRequest {
  /** Client → server: store a sample job's whole lifecycle, ending now. */
  export const method = 'events/emitLifecycle';
  export const type = new RequestType<LifecycleParams, LifecycleResult, void>(method);
}
