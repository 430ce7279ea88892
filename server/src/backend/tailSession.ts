import type { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { isFailureType } from '../model/eventType';
import type { DecodeProblem, TailBackfill, TailBatch, TailParams } from '../protocol/protocol';
import { liveStream } from '../storage/liveStream';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { allFilter } from '../subjects/subject';
import { tailPatternProblem } from '../subjects/tailPattern';

/** Events per notification: a burst is spread over several small messages, never one huge one. */
export const MAX_BATCH = 100;
/**
 * The least time between two flushes. A lone event goes out at once; under a steady stream what
 * arrives meanwhile goes out together, so the editor gets at most 50 flushes a second and an event
 * waits at most this long. (A fixed 100 ms tick made every event wait 50 ms on average, 100 at worst.)
 */
const FLUSH_MS = 20;

export class TailPatternError extends Error {
  override name = 'TailPatternError';
}

/** Checks a tail's subject pattern: well formed, and inside the stream's subjects. */
export function checkTailPattern(prefix: string, pattern: string): string {
  const problem = tailPatternProblem(prefix, pattern);
  if (problem) throw new TailPatternError(`subject pattern ${JSON.stringify(pattern)}: ${problem}`);
  return pattern;
}

export class TailBackfillError extends Error {
  override name = 'TailBackfillError';
}

/**
 * Where a tail starts: right after `lastSeq` (the stream's last sequence when the tail was asked
 * for) unless `backfill` asks for stored events first. A resume point beyond `lastSeq` means the
 * stream was recreated meanwhile; the tail then starts at its end rather than never.
 */
export function tailStart(backfill: TailBackfill | undefined, lastSeq: number): StartPosition {
  const now: StartPosition = { from: 'sequence', seq: lastSeq + 1 };
  if (backfill === undefined) return now;
  if (typeof backfill !== 'object' || backfill === null) throw new TailBackfillError('backfill: must be an object with one of all, since, afterSeq');
  const given = (['all', 'since', 'afterSeq'] as const).filter((key) => backfill[key] !== undefined);
  if (given.length > 1) throw new TailBackfillError(`backfill: give one of all, since, afterSeq, not ${given.join(' and ')}`);
  if (backfill.all !== undefined) {
    if (typeof backfill.all !== 'boolean') throw new TailBackfillError('backfill.all: must be true or false');
    return backfill.all ? { from: 'all' } : now;
  }
  if (backfill.since !== undefined) {
    if (typeof backfill.since !== 'number' || !Number.isFinite(backfill.since) || backfill.since < 0) {
      throw new TailBackfillError('backfill.since: must be a time in seconds since the epoch, 0 or more');
    }
    return { from: 'time', time: new Date(backfill.since * 1000) };
  }
  if (backfill.afterSeq !== undefined) {
    if (!Number.isSafeInteger(backfill.afterSeq) || backfill.afterSeq < 0) throw new TailBackfillError('backfill.afterSeq: must be a stream sequence, an integer 0 or more');
    return { from: 'sequence', seq: Math.min(backfill.afterSeq, lastSeq) + 1 };
  }
  return now;
}

export function problemOf(error: EventDecodeError): DecodeProblem {
  return { seq: error.seq ?? null, subject: error.subject ?? null, message: error.message };
}

/**
 * One live tail: events pushed in batches of at most {@link MAX_BATCH}, at most `ratePerSecond`
 * per second; what is over the rate is dropped and counted, so a flood never reaches the editor.
 */
export class TailSession {
  readonly pattern: string;
  private readonly controller = new AbortController();
  private readonly pending: JobEvent[] = [];
  private readonly problems: DecodeProblem[] = [];
  private skipped = 0;
  private windowStart = Date.now();
  private sentInWindow = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly done: Promise<void>;

  constructor(
    readonly id: string,
    session: NatsSession,
    params: TailParams,
    start: StartPosition,
    private readonly ratePerSecond: number,
    private readonly send: (batch: TailBatch) => void,
    onError: (error: Error) => void,
  ) {
    const filter = params.pattern ? checkTailPattern(session.prefix, params.pattern) : allFilter(session.prefix);
    this.pattern = filter;
    const types = params.types && params.types.length > 0 ? new Set(params.types) : undefined;
    // With neither pattern nor types, a tail shows every failure, whatever its subject shape.
    const accept = types ? (event: JobEvent) => types.has(event.event_type) : params.pattern ? undefined : (event: JobEvent) => isFailureType(event.event_type);
    this.done = (async () => {
      for await (const item of liveStream(session, { filter, accept, start, signal: this.controller.signal })) {
        if (item.kind === 'error') {
          if (this.problems.length < MAX_BATCH) this.problems.push(problemOf(item.error));
        } else {
          this.admit(item.event);
        }
        this.scheduleFlush();
      }
    })().catch(onError);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.done;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
  }

  private admit(event: JobEvent): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow >= this.ratePerSecond) {
      this.skipped++;
      return;
    }
    this.sentInWindow++;
    this.pending.push(event);
  }

  /** A flush as soon as the last one is {@link FLUSH_MS} old, unless one is due already. */
  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.controller.signal.aborted) return;
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = undefined;
        this.flush();
      },
      Math.max(0, this.lastFlush + FLUSH_MS - Date.now()),
    );
  }

  private flush(): void {
    this.lastFlush = Date.now();
    while (this.pending.length > 0 || this.problems.length > 0 || this.skipped > 0) {
      const batch: TailBatch = {
        tailId: this.id,
        events: this.pending.splice(0, MAX_BATCH),
        problems: this.problems.splice(0, MAX_BATCH),
        skipped: this.skipped,
      };
      this.skipped = 0;
      this.send(batch);
    }
  }
}
