/**
 * Takes the tracebacks that failed events carry in their `details` straight from the backend's follow of the
 * stream, which hands every stored message to its handlers during the build and live. Reading each failed event
 * back from the stream instead (a direct get per job, 32 at a time) made placing 100,000 failures take minutes
 * and a new failure wait behind that queue. A failed event with no traceback in its details is stored as it is,
 * and the service's lookups then look only where NAQ keeps tracebacks (the result bucket, the failed-jobs stream):
 * reading the event back too made 200,000 direct gets after a build at 10M events, 400 MB more at the peak.
 *
 * Also keeps the failure store in the index's snapshot, at the same point of the stream as the index: a restarted
 * backend starts with every failure already placed instead of looking each failed job up again.
 */
import { EventDecodeError } from '../codec/decode';
import { isFailureType } from '../model/eventType';
import type { StoredMessage, StreamHandler } from '../processor/streamHandlers';
import type { FailureRecord } from './failureStore';
import { tracebackFromDetails } from './tracebackSources';

/** What the follower feeds and saves: the failure service's store. */
export interface FailureKeeping {
  /** A failed event just applied by the index, with the traceback its details hold if any. */
  found(record: FailureRecord): void;
  /** The store as the snapshot keeps it. */
  save(): Uint8Array;
  /** Replaces the store with a saved one; throws, changing nothing, when it cannot. */
  restore(state: Uint8Array): void;
  /** Forgets every failure. */
  reset(): void;
  /** Grows with every change to the failures held. */
  changes(): number;
}

export class DetailsFollower implements StreamHandler {
  readonly name = 'failures';

  /** `keeping.changes()` as of the last save or restore: the failures the snapshot holds. */
  private saved = -1;

  constructor(private readonly keeping: FailureKeeping) {}

  onMessage(message: StoredMessage): void {
    // Job subjects end with the event type: the others are not decoded here.
    if (!isFailureType(message.subject.slice(message.subject.lastIndexOf('.') + 1))) return;
    const event = message.event();
    if (event instanceof EventDecodeError || !isFailureType(event.event_type)) return;
    const traceback = tracebackFromDetails(event.details, event.error_type, event.error_message);
    this.keeping.found({
      jobId: event.job_id,
      seq: message.seq,
      time: event.timestamp,
      queue: event.queue_name,
      worker: event.worker_id,
      errorType: event.error_type,
      errorMessage: event.error_message,
      ...(traceback ? { traceback, origin: 'details' as const } : {}),
    });
  }

  onReset(): void {
    this.keeping.reset();
  }

  saveState(): Uint8Array {
    const state = this.keeping.save();
    this.saved = this.keeping.changes();
    return state;
  }

  /** Lookups end after the messages that named their jobs: what they placed is saved even when nothing else moved. */
  unsaved(): boolean {
    return this.keeping.changes() !== this.saved;
  }

  /** The failures the store held at the snapshot's sequence; the index's reset then drops those gone since. */
  restoreState(state: Uint8Array): void {
    this.keeping.restore(state);
    this.saved = this.keeping.changes();
  }
}
