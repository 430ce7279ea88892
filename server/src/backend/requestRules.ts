/**
 * The rules every request's parameters are held to before the backend sees them, one entry per
 * message that takes parameters: the CLI's rules (ids as subject tokens, known event types, subject
 * patterns), sane numbers (timestamps, page sizes, sequences), and the wire types' shapes.
 */
import { MAX_INDEXED_JOBS, MIN_INDEXED_JOBS } from '../config/defaults';
import { isKnownEventType, KNOWN_EVENT_TYPES } from '../model/eventType';
import {
  ConnectRequest,
  DeleteJobRequest,
  EmitLifecycleRequest,
  EmitRequest,
  FailuresJobRequest,
  FailuresJobsRequest,
  GetJobRequest,
  JOB_STATUSES,
  ListJobsRequest,
  StreamApplyRequest,
  TailStartRequest,
  TailStopRequest,
  TIMELINE_PAGE,
  TimelineRequest,
  type BackendSettings,
  type EmitParams,
  type JobListParams,
  type JobParams,
  type LifecycleParams,
  type StreamApplyParams,
  type SubjectShape,
  type TailParams,
  type TimelineParams,
} from '../protocol/protocol';
import { patternProblem } from '../subjects/subject';
import { checkJobId, checkToken, InvalidIdError, type IdKind } from '../subjects/tokens';
import { arrayOf, boolean, byKind, Check, fail, finite, integer, jsonObject, nullable, object, oneOf, ParamError, recordOf, string } from './paramCheck';

/** The most jobs one `jobs/list` page may ask for (the views grow a page 100 at a time). */
export const MAX_LIST_LIMIT = 50_000;
/** Event timestamps may lie this far ahead of the backend's clock, not more. */
export const MAX_FUTURE_SECONDS = 366 * 24 * 3600;

/** An id that becomes one subject token, held to the storage's and the CLI's rules, in their words. */
function id(kind: IdKind, check: (id: string) => string = (text) => checkToken(kind, text)): Check<string> {
  return (value, field) => {
    if (typeof value !== 'string') fail(field, 'must be a string', value);
    try {
      return check(value);
    } catch (error) {
      if (error instanceof InvalidIdError) throw new ParamError(field, error.message);
      throw error;
    }
  };
}

const jobId = id('job id', checkJobId);
const queueName = id('queue name');
const workerId = id('worker id');

const eventType = string((text) => (isKnownEventType(text) ? undefined : `must be a known event type: ${KNOWN_EVENT_TYPES.join(', ')}`), 100);

const sequence = integer(0, Number.MAX_SAFE_INTEGER);

const timestamp: Check<number> = (value, field) => {
  const latest = Math.floor(Date.now() / 1000) + MAX_FUTURE_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > latest) {
    fail(field, `must be epoch seconds from 0 to a year from now (${latest})`, value);
  }
  return value;
};

const measure = nullable(finite(0, Number.MAX_SAFE_INTEGER, 'a number'));
/** Free text: its size is the stream's to limit (max_payload), which the store names in its error. */
const text = nullable(string(undefined, Number.POSITIVE_INFINITY));

/** Only an absent or null value: the stream sets it. */
const streamSet: Check<null> = (value, field) => {
  if (value !== null) fail(field, 'is set by the stream, not by the emitter', value);
  return null;
};

const shape: Check<SubjectShape> = byKind<SubjectShape>({
  basic: object({ kind: oneOf(['basic'] as const, 'basic') }),
  lifecycle: object({ kind: oneOf(['lifecycle'] as const, 'lifecycle') }),
  system: object({ kind: oneOf(['system'] as const, 'system') }),
  worker: object({ kind: oneOf(['worker'] as const, 'worker'), workerId }),
  queue: object({ kind: oneOf(['queue'] as const, 'queue'), queueName }),
  retry: object({ kind: oneOf(['retry'] as const, 'retry'), retryCount: integer(0, 1_000_000) }),
  schedule: object({ kind: oneOf(['schedule'] as const, 'schedule'), scheduleName: id('schedule name') }),
});

const event = object(
  { job_id: jobId, event_type: eventType },
  {
    timestamp,
    worker_id: nullable(workerId),
    worker_type: text,
    queue_name: nullable(queueName),
    message: text,
    details: jsonObject(),
    error_type: text,
    error_message: text,
    duration_ms: measure,
    memory_mb: measure,
    cpu_time_ms: measure,
    tags: recordOf(string(undefined, Number.POSITIVE_INFINITY), 1000),
    metadata: jsonObject(),
    nats_subject: streamSet,
    nats_sequence: streamSet,
  },
);

/** Empty means "not given" for the optional names of a sample lifecycle, as the client sends them. */
function orEmpty(check: Check<string>): Check<string> {
  return (value, field) => (value === '' ? '' : check(value, field));
}

/** Parameter rules by method; a message without parameters has no entry. */
export const requestRules = {
  [ConnectRequest.method]: object(
    {
      serverUrl: string(),
      streamName: string(),
      subjectPrefix: string(),
      context: string(),
      natsServerPath: string(),
      embeddedServer: oneOf(['auto', 'never'] as const, 'one of'),
      tailRateLimit: integer(1, 100_000),
      storagePath: string(),
      secrets: object({}, { user: string(), password: string(), token: string(), credsFile: string() }),
    },
    { maxIndexedJobs: integer(MIN_INDEXED_JOBS, MAX_INDEXED_JOBS) },
  ) satisfies Check<BackendSettings>,
  [ListJobsRequest.method]: object(
    { offset: integer(0, Number.MAX_SAFE_INTEGER), limit: integer(0, MAX_LIST_LIMIT) },
    { queue: queueName, worker: workerId, status: oneOf(JOB_STATUSES, 'a job status'), search: string(undefined, 1000), activeFrom: timestamp, activeTo: timestamp },
  ) satisfies Check<JobListParams>,
  [GetJobRequest.method]: object({ jobId }) satisfies Check<JobParams>,
  [DeleteJobRequest.method]: object({ jobId }) satisfies Check<JobParams>,
  [TimelineRequest.method]: object({ jobId }, { afterSeq: sequence, beforeSeq: sequence, limit: integer(1, TIMELINE_PAGE.max) }) satisfies Check<TimelineParams>,
  [EmitRequest.method]: object({ event }, { shape }) satisfies Check<EmitParams>,
  [EmitLifecycleRequest.method]: object(
    { scenario: oneOf(['success', 'failure-with-retries', 'timeout', 'cancellation', 'schedule'] as const, 'a sample scenario') },
    { jobId: orEmpty(jobId), queue: orEmpty(queueName), worker: orEmpty(workerId) },
  ) satisfies Check<LifecycleParams>,
  [TailStartRequest.method]: object(
    {},
    {
      pattern: string((p) => {
        const problem = patternProblem(p);
        return problem && `${problem.reason} (at character ${problem.index + 1})`;
      }, 1000),
      types: arrayOf(eventType, KNOWN_EVENT_TYPES.length),
      backfill: object({}, { all: boolean(), since: timestamp, afterSeq: sequence }),
    },
  ) satisfies Check<TailParams>,
  [StreamApplyRequest.method]: object({
    force: boolean(),
    basis: string((basis) => (/^[0-9a-f]{16}$/.test(basis) ? undefined : 'must be the basis of a stream/plan review'), 16),
  }) satisfies Check<StreamApplyParams>,
  [FailuresJobsRequest.method]: object({
    signatureId: string((id) => (/^[0-9a-f]{16}$/.test(id) ? undefined : 'must be a failure signature id the backend gave'), 16),
  }),
  [FailuresJobRequest.method]: object({ jobId }),
  [TailStopRequest.method]: object({ tailId: string((id) => (/^[0-9a-f]{1,64}$/.test(id) ? undefined : 'must be a tail id the backend gave'), 64) }),
} as const;

/** The request's parameters checked by its rules; the root is named `params`. */
export function checkParams<M extends keyof typeof requestRules>(method: M, params: unknown): ReturnType<(typeof requestRules)[M]> {
  const check = requestRules[method] as Check<unknown>;
  return check(params, '') as ReturnType<(typeof requestRules)[M]>;
}
