import type { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import type { EventType } from '../model/eventType';

/** Which list a failing handler was registered in. */
export type HandlerScope = 'type' | 'global';

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  // A handler may throw anything; a string or number still says what went wrong.
  try {
    return typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * A handler threw or rejected (or outran its time limit). Carries the event's job id, type and
 * stream sequence so the failure can be traced back to the stored event; `cause` is what the handler threw.
 */
export class HandlerError extends Error {
  override name = 'HandlerError';
  readonly jobId: string;
  readonly eventType: EventType;
  /** Stream sequence of the event; null for an event handed to `processEvent` directly. */
  readonly sequence: number | null;
  readonly subject: string | null;
  readonly scope: HandlerScope;
  readonly handlerName: string;

  constructor(event: JobEvent, scope: HandlerScope, handlerName: string, cause: unknown) {
    const at = event.nats_sequence !== null ? ` (sequence ${event.nats_sequence})` : '';
    super(
      `${scope === 'type' ? `"${event.event_type}"` : 'global'} handler ${handlerName} failed on job ${JSON.stringify(event.job_id)}` +
        ` event "${event.event_type}"${at}: ${describe(cause)}`,
      { cause },
    );
    this.jobId = event.job_id;
    this.eventType = event.event_type;
    this.sequence = event.nats_sequence;
    this.subject = event.nats_subject;
    this.scope = scope;
    this.handlerName = handlerName;
  }
}

/**
 * Reading the stream failed (server gone, consumer deleted, timeout). The loop retries after `retryInMs`;
 * null means it gave up because the connection is closed for good.
 */
export class ProcessorStreamError extends Error {
  override name = 'ProcessorStreamError';

  constructor(
    readonly source: string,
    readonly attempt: number,
    readonly retryInMs: number | null,
    cause: unknown,
  ) {
    const next = retryInMs === null ? 'giving up: the connection is closed' : `retrying in ${retryInMs} ms`;
    super(`${source}: ${describe(cause)} (attempt ${attempt}, ${next})`, { cause });
  }
}

/** The processor cannot start as configured: a bad consumer name or filter, or a durable consumer set up differently. */
export class ProcessorConfigError extends Error {
  override name = 'ProcessorConfigError';
}

/** Everything `onError` receives. Nothing here stops the processor; a config error is thrown by `start()` instead. */
export type ProcessorError = HandlerError | EventDecodeError | ProcessorStreamError;
