import type { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import type { NatsSession } from '../storage/session';
import { ProcessorStreamError } from './errors';

/** One message taken from the stream: an event to hand to the handlers, or a payload that is not one. */
export type Delivery = { kind: 'event'; event: JobEvent; redelivered: boolean } | { kind: 'error'; error: EventDecodeError };

/** Runs the handlers for one delivery; never rejects (failures go to onError), so a source can ack afterwards. */
export type Deliver = (delivery: Delivery) => Promise<void>;

export type ReportStreamError = (error: ProcessorStreamError) => void;

/** Where the processor's background loop gets its events: an ephemeral live stream or a durable group. */
export interface EventSource {
  /** Names the source in errors. */
  readonly description: string;
  /** Resolves once the server side is in place, so that anything published afterwards reaches the handlers. */
  open(): Promise<void>;
  /** Feeds deliveries one at a time until `signal` aborts; retries on its own after stream failures. */
  run(deliver: Deliver, signal: AbortSignal): Promise<void>;
  /** After the loop ended, or stop() gave up waiting for a handler: free server-side state and flush acks. */
  release(): Promise<void>;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/** Backoff between attempts to get the stream back: quick after a blip, at most 5 s while the server stays away. */
export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * Reports a failed read and says how long to wait before the next attempt; undefined when retrying is
 * pointless because the connection is closed for good (nats.js gave up reconnecting, or the owner closed it).
 */
export function reportFailure(session: NatsSession, source: string, attempt: number, error: unknown, report: ReportStreamError): number | undefined {
  if (session.nc.isClosed()) {
    report(new ProcessorStreamError(source, attempt, null, error));
    return undefined;
  }
  const wait = retryDelay(attempt);
  report(new ProcessorStreamError(source, attempt, wait, error));
  return wait;
}

