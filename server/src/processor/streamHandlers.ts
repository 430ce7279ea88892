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
  /**
   * What the handler holds, for the index's snapshot: saved with the index, at the same point of the stream,
   * so that after a restart it goes on from where the snapshot ends instead of missing every message before.
   * Kept under the handler's name, which must then be unique. Bounded and compact: it is written every
   * 30 s or so.
   */
  saveState?(): Uint8Array;
  /**
   * True when what `saveState` would write changed since it last wrote, by work that ended after the messages that
   * caused it (a lookup): the next snapshot is then saved even if the index did not change since the last one.
   */
  unsaved?(): boolean;
  /**
   * Takes back what `saveState` wrote, into a handler that has seen nothing yet; messages then follow from
   * `lastSeq + 1`. Throws, naming what does not add up, when it cannot: the snapshot is then set aside
   * and everything is built again from the stream (`onReset` first undoes whatever it took in).
   */
  restoreState?(state: Uint8Array, lastSeq: number): void;
}

/** A handler's failures of one kind are logged once, then every `LOG_EVERY`th: a broken handler must not flood the log. */
const LOG_EVERY = 1_000;

type CallKind = 'message' | 'removed messages' | 'a reset' | 'saving its state';

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
    if (handler.saveState && this.handlers.some((h) => h.saveState && h.name === handler.name)) {
      throw new Error(`a stream handler named ${handler.name} already keeps its state in the snapshot`);
    }
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

  /** Each state a handler keeps, by its name; one whose `saveState` throws is logged and left out (the next start then builds afresh). */
  states(): Map<string, Uint8Array> {
    const states = new Map<string, Uint8Array>();
    for (const handler of this.handlers) {
      if (!handler.saveState) continue;
      this.call(handler, 'saving its state', '', () => {
        const state = handler.saveState?.();
        if (state) states.set(handler.name, state);
      });
    }
    return states;
  }

  /** Whether a handler's state changed since it was last saved, the index's aside. */
  unsaved(): boolean {
    return this.handlers.some((handler) => handler.saveState && handler.unsaved?.() === true);
  }

  /**
   * Hands each handler that keeps a state its own from a snapshot ending at `lastSeq`. All of them take
   * theirs, or none keeps any: on the first missing or unreadable one, those restored so far (and that one)
   * are reset, and the reason is returned for the log.
   */
  restore(states: ReadonlyMap<string, Uint8Array>, lastSeq: number): string | undefined {
    const touched: StreamHandler[] = [];
    for (const handler of this.handlers) {
      if (!handler.restoreState) continue;
      const state = states.get(handler.name);
      let reason: string | undefined;
      if (!state) reason = `the snapshot holds no state of ${handler.name}`;
      else {
        touched.push(handler);
        try {
          handler.restoreState(state, lastSeq);
        } catch (error) {
          reason = `the state of ${handler.name} in the snapshot is unreadable: ${(error as Error).message}`;
        }
      }
      if (reason !== undefined) {
        for (const h of touched) if (h.onReset) this.call(h, 'a reset', '', () => h.onReset?.());
        return reason;
      }
    }
    return undefined;
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
