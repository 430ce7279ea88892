import { decodeEvent, EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import type { Disposer } from './handlers';

/** One message of the event space as the stream stored it; the payload is decoded once, when a handler asks. */
export interface StoredMessage {
  readonly subject: string;
  readonly seq: number;
  readonly data: Uint8Array;
  /** Epoch seconds at which the server stored it. */
  readonly storedAt: number;
  /** The decoded event, or the reason it is none (another subject's payload, plain text...). */
  event(): JobEvent | EventDecodeError;
}

/**
 * What follows the stream beside the index: failure notifications, signatures, metrics. Every method
 * is optional and synchronous (an event at a time, in stream order, on the reading path: keep it short).
 */
export interface StreamHandler {
  /** Named in the log when it throws. */
  readonly name: string;
  /**
   * Each message stored under the event prefix, once, in stream order: during a build (from the start of the
   * stream, or from where a restored snapshot ends) and then live. Non-job subjects and undecodable payloads
   * included: `event()` tells.
   */
  onMessage?(message: StoredMessage): void;
  /**
   * Messages are gone from the stream (evicted by its limits, purged or deleted by any client): `gone(seq)` is
   * true for each of them. It may name sequences already reported gone, or never delivered; keep it idempotent.
   */
  onRemoved?(gone: (seq: number) => boolean): void;
  /** Forget everything: the stream was recreated, so every message is delivered again from its start. */
  onReset?(): void;
}

/** A handler's failures of one kind are logged once, then every `LOG_EVERY`th: a broken handler must not flood the log. */
const LOG_EVERY = 1_000;

type CallKind = 'message' | 'removed messages' | 'a reset';

/**
 * The handlers the engine (see `Indexer`) calls, in the order they were added. A handler that throws is
 * logged and skipped for that call; the others, before and after it, run as if nothing happened.
 */
export class StreamHandlers {
  private handlers: readonly StreamHandler[] = [];
  private readonly failures = new Map<StreamHandler, Map<CallKind, number>>();

  constructor(private readonly log: (message: string) => void) {}

  /** Adds a handler after those already added; the disposer removes it. */
  use(handler: StreamHandler): Disposer {
    // Replaced, never mutated: a dispatch in progress keeps the list it started with.
    this.handlers = [...this.handlers, handler];
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  get size(): number {
    return this.handlers.length;
  }

  message(subject: string, seq: number, data: Uint8Array, storedAt: number): void {
    if (this.handlers.length === 0) return;
    let decoded: JobEvent | EventDecodeError | undefined;
    const message: StoredMessage = {
      subject,
      seq,
      data,
      storedAt,
      event: () => (decoded ??= decodeOrError(data, seq, subject, storedAt)),
    };
    for (const handler of this.handlers) if (handler.onMessage) this.call(handler, 'message', ` ${seq}`, () => handler.onMessage?.(message));
  }

  removed(gone: (seq: number) => boolean): void {
    for (const handler of this.handlers) if (handler.onRemoved) this.call(handler, 'removed messages', '', () => handler.onRemoved?.(gone));
  }

  reset(): void {
    for (const handler of this.handlers) if (handler.onReset) this.call(handler, 'a reset', '', () => handler.onReset?.());
  }

  private call(handler: StreamHandler, kind: CallKind, detail: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      let counts = this.failures.get(handler);
      if (!counts) this.failures.set(handler, (counts = new Map()));
      const count = (counts.get(kind) ?? 0) + 1;
      counts.set(kind, count);
      if (count === 1 || count % LOG_EVERY === 0) {
        this.log(`handler ${handler.name} failed on ${kind}${detail} (${count} such failure${count === 1 ? '' : 's'} so far): ${(error as Error).message}`);
      }
    }
  }
}

function decodeOrError(data: Uint8Array, seq: number, subject: string, storedAt: number): JobEvent | EventDecodeError {
  try {
    return decodeEvent(data, { seq, subject }, storedAt);
  } catch (error) {
    return error instanceof EventDecodeError ? error : new EventDecodeError((error as Error).message, { seq, subject });
  }
}
