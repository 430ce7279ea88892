import type { JobEvent } from '../model/event';
import { parseSubject } from '../subjects/subject';
import { noFields, peekFields } from './fieldPeek';

/** What the index takes from one stored message: the subject's facts and a few payload fields. */
export interface IndexRecord {
  seq: number;
  jobId: string;
  type: string;
  /** Epoch seconds: the event's own timestamp, else the time the server stored it. */
  time: number;
  worker: string | null;
  queue: string | null;
  message: string | null;
  errorType: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  /** False for a payload that could not be read: only its subject is known. */
  decoded: boolean;
}

const NOTHING = noFields();

/** Undefined for subjects outside the job hierarchy; an undecodable payload still counts as an event. */
export function recordFromMessage(prefix: string, subject: string, seq: number, data: Uint8Array, storedAt: number): IndexRecord | undefined {
  const parsed = parseSubject(prefix, subject);
  if (!parsed) return undefined;
  const peeked = peekFields(data);
  const fields = peeked ?? NOTHING;
  const { shape } = parsed;
  return {
    seq,
    jobId: parsed.jobId,
    type: parsed.eventType,
    time: fields.timestamp !== undefined && Number.isFinite(fields.timestamp) ? fields.timestamp : storedAt,
    worker: shape.kind === 'worker' ? shape.workerId : (fields.worker_id ?? null),
    queue: shape.kind === 'queue' ? shape.queueName : (fields.queue_name ?? null),
    message: fields.message ?? null,
    errorType: fields.error_type ?? null,
    errorMessage: fields.error_message ?? null,
    durationMs: fields.duration_ms ?? null,
    decoded: peeked !== undefined,
  };
}

/** The record of an event already decoded (read by the CLI, say, rather than by the index's consumer). */
export function recordFromEvent(event: JobEvent): IndexRecord {
  return {
    seq: event.nats_sequence ?? 0,
    jobId: event.job_id,
    type: event.event_type,
    time: event.timestamp,
    worker: event.worker_id,
    queue: event.queue_name,
    message: event.message,
    errorType: event.error_type,
    errorMessage: event.error_message,
    durationMs: event.duration_ms,
    decoded: true,
  };
}
