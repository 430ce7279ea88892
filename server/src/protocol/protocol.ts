/**
 * The one declaration of what the extension (client) and the backend (server) say to each other.
 * Both sides import this file; every method is `area/verb`, every payload typed here.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { JobStats } from '../analytics/jobAnalytics';
import type { GroupEntry, JobQuery, StatusCounts } from '../index/jobIndex';
import type { JobError, JobOverview } from '../index/jobSummary';
import type { JobEvent, JobEventInit } from '../model/event';
import type { SampleScenario } from '../model/samples';
import type { SubjectShape } from '../subjects/subject';

// ---- Settings the client passes when it starts the backend, and on every change ----

export interface BackendSettings {
  /** Empty: a NATS CLI context if one is selected, else the embedded default. */
  serverUrl: string;
  streamName: string;
  subjectPrefix: string;
  /** A NATS CLI context name; empty for none. */
  context: string;
  /** Path to the nats-server binary for the embedded default; empty: look on PATH. */
  natsServerPath: string;
  embeddedServer: 'auto' | 'never';
  /** Tail events per second pushed to the client before skipping. */
  tailRateLimit: number;
  /** Folder for the index snapshot and the embedded server's store. */
  storagePath: string;
  /** From the editor's secret storage, never from settings files. */
  secrets: { user?: string; password?: string; token?: string; credsFile?: string };
}

// ---- Connection ----

export type ConnectionPhase = 'connecting' | 'connected' | 'degraded' | 'disconnected' | 'no-server';

export interface IndexProgress {
  building: boolean;
  indexedEvents: number;
  /** Last stream sequence when the build started; indexing is done once this is reached. */
  targetSequence: number;
  jobs: number;
}

export interface ConnectionState {
  phase: ConnectionPhase;
  /** Why the backend is in this phase, in words a user can act on. */
  detail: string;
  server?: { url: string; version: string; embedded: boolean };
  stream?: { name: string; messages: number; bytes: number; lastSeq: number };
  index?: IndexProgress;
}

export namespace ConnectionStateNotification {
  /** Server → client, whenever the connection or the index changes phase, and while the index builds. */
  export const type = new NotificationType<ConnectionState>('connection/state');
}

export namespace ConnectRequest {
  /** Client → server: (re)connect with these settings. */
  export const type = new RequestType<BackendSettings, ConnectionState, void>('connection/connect');
}

export namespace DisconnectRequest {
  export const type = new RequestType0<ConnectionState, void>('connection/disconnect');
}

export namespace StateRequest {
  export const type = new RequestType0<ConnectionState, void>('connection/state');
}

// ---- Jobs, queues, workers ----

/** A job as the index summarises it, without the sequences of its events. */
export type JobItem = JobOverview;

/** A page of jobs, filtered; `search` matches job ids and last error messages, case-insensitively. */
export type JobListParams = JobQuery;

export interface JobPage {
  items: JobItem[];
  /** Jobs that match, over all pages. */
  total: number;
}

export namespace ListJobsRequest {
  /** Newest activity first. */
  export const type = new RequestType<JobListParams, JobPage, void>('jobs/list');
}

export namespace GetJobRequest {
  export const type = new RequestType<{ jobId: string }, JobItem | null, void>('jobs/get');
}

export type { StatusCounts };

export type QueueItem = GroupEntry;

export interface WorkerItem {
  id: string;
  counts: StatusCounts;
  total: number;
  /** The last worker lifecycle event (`worker_idle`, `worker_busy` ...), if it logs them. */
  lastState: string | null;
  lastSeen: number;
}

export namespace ListQueuesRequest {
  export const type = new RequestType0<QueueItem[], void>('queues/list');
}

export namespace ListWorkersRequest {
  export const type = new RequestType0<WorkerItem[], void>('workers/list');
}

export interface DecodeProblem {
  seq: number | null;
  subject: string | null;
  message: string;
}

export interface Timeline {
  jobId: string;
  job: JobItem | null;
  events: JobEvent[];
  problems: DecodeProblem[];
  /** `index`: direct gets by sequence; `consumer`: a filtered read while the index is still building. */
  source: 'index' | 'consumer';
}

export namespace TimelineRequest {
  export const type = new RequestType<{ jobId: string }, Timeline, void>('jobs/timeline');
}

export namespace DeleteJobRequest {
  export const type = new RequestType<{ jobId: string }, { purged: number }, void>('jobs/delete');
}

// ---- Emitting ----

export interface EmitParams {
  event: JobEventInit;
  shape?: SubjectShape;
}

export interface EmitResult {
  seq: number;
  subject: string;
}

export namespace EmitRequest {
  export const type = new RequestType<EmitParams, EmitResult, void>('events/emit');
}

export type LifecycleScenario = SampleScenario;

export interface LifecycleParams {
  scenario: LifecycleScenario;
  jobId?: string;
  queue?: string;
  worker?: string;
}

export namespace EmitLifecycleRequest {
  export const type = new RequestType<LifecycleParams, { jobId: string; events: EmitResult[] }, void>('events/emitLifecycle');
}

// ---- Tails ----

export interface TailParams {
  /** A subject pattern within the stream; default: every event. */
  pattern?: string;
  /** Only these types; default every failure type, whatever the subject shape, when no pattern is given. */
  types?: string[];
  /** Stored events to show first; default none (only events stored after the answer). */
  backfill?: TailBackfill;
}

/** Where a tail starts in the stream's history; at most one field. */
export interface TailBackfill {
  /** Every stored event the pattern matches (for one job's tail: its whole history). */
  all?: boolean;
  /** Events stored since this time (seconds since the epoch). */
  since?: number;
  /** Events stored after this stream sequence: a tail resumed after a reconnect misses nothing. */
  afterSeq?: number;
}

export interface TailStarted {
  tailId: string;
  /** The subject filter the backend follows. */
  pattern: string;
  /** The stream's last sequence when the tail started: live events come after it. */
  lastSeq?: number;
}

export namespace TailStartRequest {
  export const type = new RequestType<TailParams, TailStarted, void>('tail/start');
}

export namespace TailStopRequest {
  export const type = new RequestType<{ tailId: string }, void, void>('tail/stop');
}

export interface TailBatch {
  tailId: string;
  events: JobEvent[];
  problems: DecodeProblem[];
  /** Events left out since the previous batch because of the rate limit. */
  skipped: number;
}

export namespace TailEventsNotification {
  export const type = new NotificationType<TailBatch>('tail/events');
}

// ---- Stats ----

export namespace StatsRequest {
  export const type = new RequestType0<JobStats, void>('stats/get');
}

// ---- Changes ----

export interface IndexChange {
  /** Everything may have changed (a rebuild, a recreated stream): refresh the whole tree. */
  reset: boolean;
  queues: string[];
  workers: string[];
  jobs: string[];
  /** Jobs that moved to a failure status since the previous change. */
  failed: { jobId: string; error: JobError | null }[];
}

export namespace IndexChangedNotification {
  /** Server → client, batched a few times a second at most. */
  export const type = new NotificationType<IndexChange>('index/changed');
}
