/**
 * Failures area: job failures placed on the workspace's code. Diagnostics, code lenses and hovers are standard
 * LSP; this file declares the settings they read and the VS Code-only requests. Self-contained wire types.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

export type FailureSeverity = 'error' | 'warning' | 'information' | 'hint';

/**
 * Read from `initializationOptions.failures` and from `workspace/didChangeConfiguration`'s `settings.naq.failures`
 * (`naq.pathMappings` is also read from `settings.naq.pathMappings`). Every field optional.
 */
export interface FailureSettings {
  /** As debugpy's: a worker's path prefix and the local folder it stands for; overrides the suffix search. */
  pathMappings?: { remote: string; local: string }[];
  /** Default 'warning'. */
  severity?: FailureSeverity;
  /** Failures older than this many hours are not shown; default 24. */
  windowHours?: number;
  /** NAQ's result bucket; default `NAQ_RESULT_KV_BUCKET`, else `naq_results`. */
  resultBucket?: string;
}

export interface FailureSite {
  /** A `file:` URI of the workspace file. */
  uri: string;
  /** 0-based, as LSP positions. */
  line: number;
  character: number;
}

export interface FailureSignatureItem {
  id: string;
  type: string;
  /** The normalised message that the signature groups by. */
  message: string;
  function: string | null;
  count: number;
  /** Epoch seconds. */
  firstSeen: number;
  lastSeen: number;
  queues: string[];
  workers: string[];
  /** Newest first, bounded. */
  jobs: string[];
  site: FailureSite | null;
}

export interface FailureFrameItem {
  file: string;
  line: number;
  function: string | null;
  source: string | null;
  /** Where the frame lands in the workspace; null for frames outside it. */
  mapped: FailureSite | null;
}

/** What a failed job was asked to do, from NAQ's failed-jobs stream. */
export interface FailureCall {
  function: string;
  /** Python reprs as NAQ recorded them. */
  args: string | null;
  kwargs: string | null;
}

export interface FailureJobItem {
  jobId: string;
  time: number;
  queue: string | null;
  worker: string | null;
  type: string;
  message: string;
  /** Where the traceback was found: the event's details, NAQ's result bucket or its failed-jobs stream; null when none was. */
  origin: 'details' | 'result' | 'failed-jobs' | null;
  /** The function and argument reprs, when NAQ's failed-jobs stream holds the job. */
  call?: FailureCall;
  /** The raised block's frames, outermost first. */
  frames: FailureFrameItem[];
}

export namespace FailuresListRequest {
  /** Client → server: the signatures within the window, newest first. */
  export const method = 'failures/list';
  export const type = new RequestType0<FailureSignatureItem[], void>(method);
}

export namespace FailuresJobsRequest {
  /** Client → server: the failed jobs of one signature, newest first. */
  export const method = 'failures/jobs';
  export const type = new RequestType<{ signatureId: string }, FailureJobItem[], void>(method);
}

export namespace FailuresJobRequest {
  /** Client → server: where the frames of a traceback land in the workspace (the timeline links them). */
  export const method = 'failures/job';
  export const type = new RequestType<{ jobId: string }, FailureJobItem | null, void>(method);
}

export namespace FailuresChangedNotification {
  /** Server → client, coalesced: the signatures changed, list them again; or a failure's call became known. */
  export const method = 'failures/changed';
  export const type = new NotificationType<{ signatures: number }>(method);
}
