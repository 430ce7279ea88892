/** Live tails: events pushed to the client as the stream stores them. */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { DecodeProblem, JobEvent } from './events';

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
  /** Client → server: start a tail; answered once every later event reaches it. */
  export const method = 'tail/start';
  export const type = new RequestType<TailParams, TailStarted, void>(method);
}

export namespace TailStopRequest {
  /** Client → server: stop a tail. */
  export const method = 'tail/stop';
  export const type = new RequestType<{ tailId: string }, void, void>(method);
}

export interface TailBatch {
  tailId: string;
  events: JobEvent[];
  problems: DecodeProblem[];
  /** Events left out since the previous batch because of the rate limit. */
  skipped: number;
}

export namespace TailEventsNotification {
  /** Server → client: a tail's new events, rate-limited. */
  export const method = 'tail/events';
  export const type = new NotificationType<TailBatch>(method);
}
