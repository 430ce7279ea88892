/**
 * What the extension keeps of a running tail: the last `cap` lines, numbered, so a page that
 * reloads (hidden and shown again) gets them back. Pure: no `vscode` import, unit-tested.
 */
import * as l10n from '@vscode/l10n';
import type { JobEvent } from '../../../server/src/shared/events';
import { isFailureType } from '../../../server/src/shared/events';
import type { DecodeProblem, TailBatch } from '../../../server/src/protocol/protocol';
import type { TailLine } from '../webview/messages';

export const TAIL_CAP = 5000;

/** Longest text a line keeps of a message or error: a line is one line, details are in the timeline. */
const MAX_TEXT = 500;

function clip(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function eventLine(event: JobEvent, n: number): TailLine {
  const type = str(event.event_type) ?? '?';
  const errorType = str(event.error_type);
  const errorMessage = str(event.error_message);
  const error = errorType || errorMessage ? [errorType, errorMessage].filter(Boolean).join(': ') : null;
  return {
    n,
    kind: 'event',
    time: num(event.timestamp),
    seq: num(event.nats_sequence),
    type,
    failure: isFailureType(type) || error !== null,
    jobId: str(event.job_id),
    worker: str(event.worker_id),
    queue: str(event.queue_name),
    error: clip(error),
    message: clip(str(event.message)),
  };
}

export function problemLine(problem: DecodeProblem, n: number, now: number): TailLine {
  return {
    n,
    kind: 'problem',
    time: now,
    seq: problem.seq,
    type: 'decode-error',
    failure: true,
    jobId: null,
    worker: null,
    queue: null,
    error: clip(problem.message),
    message: problem.subject === null ? null : clip(l10n.t('subject {0}', problem.subject)),
  };
}

export function skippedLine(skipped: number, n: number, now: number): TailLine {
  return {
    n,
    kind: 'skipped',
    time: now,
    seq: null,
    type: 'skipped',
    failure: false,
    jobId: null,
    worker: null,
    queue: null,
    error: null,
    message: skipped === 1 ? l10n.t('1 event skipped by the rate limit') : l10n.t('{0} events skipped by the rate limit', skipped),
    skipped,
  };
}

export class TailBuffer {
  private lines: TailLine[] = [];
  private nextN = 1;
  /** Events left out by the rate limit since the tail started. */
  skipped = 0;

  constructor(readonly cap = TAIL_CAP) {}

  get all(): readonly TailLine[] {
    return this.lines;
  }

  /** Turns a batch into lines (a skip marker first, then problems, then events), keeps them, returns them. */
  add(batch: Pick<TailBatch, 'events' | 'problems' | 'skipped'>, nowSeconds: number): TailLine[] {
    const added: TailLine[] = [];
    const skipped = Number.isSafeInteger(batch.skipped) && batch.skipped > 0 ? batch.skipped : 0;
    if (skipped > 0) {
      this.skipped += skipped;
      added.push(skippedLine(skipped, this.nextN++, nowSeconds));
    }
    for (const problem of batch.problems ?? []) added.push(problemLine(problem, this.nextN++, nowSeconds));
    for (const event of batch.events ?? []) added.push(eventLine(event, this.nextN++));
    this.lines.push(...added);
    const over = this.lines.length - this.cap;
    if (over > 0) this.lines.splice(0, over);
    return added;
  }

  /** Forgets the lines (numbering goes on, so a paused page's `pausedAt` stays meaningful). */
  clear(): void {
    this.lines = [];
  }

  /** A new tail: no lines, no skips. */
  reset(): void {
    this.lines = [];
    this.skipped = 0;
  }
}
