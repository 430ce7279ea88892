import type { EventDecodeError } from '../codec/decode';
import type { JobEvent } from '../model/event';
import { isFailureType } from '../model/eventType';
import type { DecodeProblem, TailBatch, TailParams } from '../protocol/protocol';
import { liveStream } from '../storage/liveStream';
import type { StartPosition } from '../storage/readResult';
import type { NatsSession } from '../storage/session';
import { allFilter, patternProblem, subjectMatches } from '../subjects/subject';

/** Events per notification: a burst is spread over several small messages, never one huge one. */
export const MAX_BATCH = 100;
const FLUSH_MS = 100;

export class TailPatternError extends Error {
  override name = 'TailPatternError';
}

/** Checks a tail's subject pattern: well formed, and inside the stream's subjects. */
export function checkTailPattern(prefix: string, pattern: string): string {
  const problem = patternProblem(pattern);
  if (problem) throw new TailPatternError(`subject pattern ${JSON.stringify(pattern)}: ${problem.reason} (at character ${problem.index + 1})`);
  if (!pattern.startsWith(`${prefix}.`) && !subjectMatches(pattern, `${prefix}.job.type`)) {
    throw new TailPatternError(`subject pattern ${JSON.stringify(pattern)} is outside the stream's subjects ${prefix}.>`);
  }
  return pattern;
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
  private readonly timer: NodeJS.Timeout;
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
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.done = (async () => {
      for await (const item of liveStream(session, { filter, accept, start, signal: this.controller.signal })) {
        if (item.kind === 'error') {
          if (this.problems.length < MAX_BATCH) this.problems.push(problemOf(item.error));
        } else {
          this.admit(item.event);
        }
      }
    })().catch(onError);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    clearInterval(this.timer);
    await this.done;
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

  private flush(): void {
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
