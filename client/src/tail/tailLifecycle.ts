/**
 * A tail's own state machine, apart from the panel: what the header says, when the tail must
 * subscribe again (every return of the backend's connection, whatever ended it), and from where,
 * so that a resumed tail neither skips nor repeats an event. Pure: no `vscode` import, unit-tested;
 * it translates with @vscode/l10n, which the extension gives the editor's bundle (util/l10n.ts).
 */
import * as l10n from '@vscode/l10n';
import type { ConnectionPhase, TailParams } from '../../../server/src/protocol/protocol';
import { isoTime } from '../../../server/src/shared/time';
import type { TailRunState } from '../webview/messages';

/** What a tail shows, as its header and title say it. */
export function describeTail(params: TailParams): string {
  const what = params.pattern
    ? params.pattern
    : params.types?.length
      ? l10n.t('types {0}', params.types.join(', '))
      : l10n.t('failures only (every failure, whatever its subject)');
  if (params.backfill?.all) return l10n.t('{0}, with its history', what);
  if (params.backfill?.since !== undefined) return l10n.t('{0}, since {1}', what, isoTime(params.backfill.since));
  return what;
}

/** Tails with the same key share a panel; a different key opens one beside it. */
export function tailKey(params: TailParams): string {
  return JSON.stringify([params.pattern ?? '', [...(params.types ?? [])].sort()]);
}

export class TailLifecycle {
  state: TailRunState = 'stopped';
  /** Why the tail is reconnecting or stopped; null when the user stopped it. */
  reason: string | null = null;
  /** The highest stream sequence this tail has shown, or where it started live. */
  private resumeAfter: number | null = null;

  /** A new start: `starting` while connected, otherwise `reconnecting` until the connection is back. */
  starting(phase: ConnectionPhase, detail: string): void {
    if (phase === 'connected') {
      this.state = 'starting';
      this.reason = null;
    } else {
      this.waiting(detail);
    }
  }

  /** The backend answered; `lastSeq` is where live events start (absent from an older backend). */
  started(lastSeq: number | undefined, backfilled: boolean): void {
    this.state = 'live';
    this.reason = null;
    if (!backfilled && lastSeq !== undefined) this.advance(lastSeq);
  }

  /** Starting failed: while not connected the tail waits for the connection, otherwise it stops. */
  failed(reason: string, phase: ConnectionPhase): void {
    if (phase === 'connected') {
      this.state = 'stopped';
      this.reason = reason;
    } else {
      this.waiting(reason);
    }
  }

  /** Stopped by the user: no resubscribing. */
  stopped(): void {
    this.state = 'stopped';
    this.reason = null;
  }

  /** Forget the resume point: the next start shows what its own params ask for. */
  reset(): void {
    this.resumeAfter = null;
  }

  /** False for an event at or before what the tail has shown (a resubscription's overlap). */
  admit(seq: number | null): boolean {
    if (seq === null) return true;
    if (this.resumeAfter !== null && seq <= this.resumeAfter) return false;
    this.advance(seq);
    return true;
  }

  /** The backend's connection changed: true when the tail must subscribe again now. */
  connection(phase: ConnectionPhase, detail: string): boolean {
    if (phase !== 'connected') {
      // The header follows the connection's latest detail while it is away.
      if (this.state !== 'stopped') this.waiting(detail);
      return false;
    }
    return this.state === 'reconnecting';
  }

  /** The params of a resubscription: right after the last event shown, or as first asked. */
  resumeParams(params: TailParams): TailParams {
    if (this.resumeAfter === null) return params;
    return { ...params, backfill: { afterSeq: this.resumeAfter } };
  }

  private waiting(reason: string): void {
    this.state = 'reconnecting';
    this.reason = reason;
  }

  private advance(seq: number): void {
    if (this.resumeAfter === null || seq > this.resumeAfter) this.resumeAfter = seq;
  }
}

function isBackfill(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.all === undefined || typeof v.all === 'boolean') &&
    (v.since === undefined || (typeof v.since === 'number' && Number.isFinite(v.since))) &&
    (v.afterSeq === undefined || Number.isSafeInteger(v.afterSeq))
  );
}

/** Checks params a restored panel saved: the page's state is data, never trusted as is. */
export function isTailParams(value: unknown): value is TailParams {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.pattern === undefined || (typeof v.pattern === 'string' && v.pattern.length <= 1000)) &&
    (v.types === undefined || (Array.isArray(v.types) && v.types.length <= 100 && v.types.every((t) => typeof t === 'string' && t.length <= 200))) &&
    (v.backfill === undefined || isBackfill(v.backfill))
  );
}
