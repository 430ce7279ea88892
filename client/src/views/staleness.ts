/**
 * How the trees (Queues, Workers, Jobs, Failures) say that what they show is the last known data:
 * during an outage (see `Outage` in the protocol), or while the index cannot follow the stream (see
 * `IndexProgress.stalled`), they keep their rows instead of emptying, and name since when and why.
 * Pure, unit-tested.
 */
import * as l10n from '@vscode/l10n';
import type { ConnectionState, Outage } from '../../../server/src/protocol/protocol';
import { formatClock } from '../../../server/src/shared/time';

/** Why the rows are the last known ones, and since when (epoch milliseconds). */
export interface Staleness {
  since: number;
  cause: Outage['cause'] | 'index-stalled';
}

/**
 * What a state makes stale: an outage (only a disconnection after an unplanned loss is one), or an index that
 * cannot follow the stream while NATS answers.
 */
export function stalenessOf(state: ConnectionState): Staleness | undefined {
  if (state.phase === 'disconnected') return state.outage;
  const stalled = state.phase === 'degraded' ? state.index?.stalled : undefined;
  return stalled && { since: stalled.since, cause: 'index-stalled' };
}

/** Whether two states of the marking differ (a new staleness, a new cause, or its end). */
export function stalenessChanged(before: Staleness | undefined, after: Staleness | undefined): boolean {
  return before?.since !== after?.since || before?.cause !== after?.cause;
}

/** Epoch milliseconds as the local wall-clock time, "HH:MM" (the minutes of the shared clock format). */
export function clockTime(ms: number): string {
  return formatClock(ms / 1000, false).slice(0, 5);
}

function cause(stale: Staleness): string {
  switch (stale.cause) {
    case 'not-answering':
      return l10n.t('NATS not answering');
    case 'lost':
      return l10n.t('NATS connection lost');
    case 'index-stalled':
      return l10n.t('the index cannot follow the stream');
  }
}

/** "stale since 23:52 — NATS not answering" */
export function staleSince(stale: Staleness): string {
  return l10n.t('stale since {0} — {1}', clockTime(stale.since), cause(stale));
}

/** A view's description: its live one (a count) with the staleness after it. */
export function staleDescription(live: string | undefined, stale: Staleness | undefined): string | undefined {
  if (stale === undefined) return live;
  return live === undefined ? staleSince(stale) : `${live} · ${staleSince(stale)}`;
}

/** The line above a tree while its rows are stale. */
export function staleMessage(stale: Staleness): string {
  return stale.cause === 'index-stalled'
    ? l10n.t('Stale since {0} — {1}. Showing the last known data (dimmed); it refreshes when the index follows the stream again.', clockTime(stale.since), cause(stale))
    : l10n.t('Stale since {0} — {1}. Showing the last known data (dimmed); it refreshes when NATS answers again.', clockTime(stale.since), cause(stale));
}
