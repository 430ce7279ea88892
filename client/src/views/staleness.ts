/**
 * How the trees (Queues, Workers, Jobs, Failures) say that what they show is the last known data:
 * during an outage (see `Outage` in the protocol) they keep their rows instead of emptying, and name
 * since when and why. Pure, unit-tested.
 */
import * as l10n from '@vscode/l10n';
import type { ConnectionState, Outage } from '../../../server/src/protocol/protocol';
import { formatClock } from '../../../server/src/shared/time';

/** The outage a state reports: only a disconnection after an unplanned loss is one. */
export function outageOf(state: ConnectionState): Outage | undefined {
  return state.phase === 'disconnected' ? state.outage : undefined;
}

/** Whether two states of the marking differ (a new outage, a new cause, or its end). */
export function outageChanged(before: Outage | undefined, after: Outage | undefined): boolean {
  return before?.since !== after?.since || before?.cause !== after?.cause;
}

/** Epoch milliseconds as the local wall-clock time, "HH:MM" (the minutes of the shared clock format). */
export function clockTime(ms: number): string {
  return formatClock(ms / 1000, false).slice(0, 5);
}

function cause(outage: Outage): string {
  return outage.cause === 'not-answering' ? l10n.t('NATS not answering') : l10n.t('NATS connection lost');
}

/** "stale since 23:52 — NATS not answering" */
export function staleSince(outage: Outage): string {
  return l10n.t('stale since {0} — {1}', clockTime(outage.since), cause(outage));
}

/** A view's description: its live one (a count) with the staleness after it. */
export function staleDescription(live: string | undefined, outage: Outage | undefined): string | undefined {
  if (outage === undefined) return live;
  return live === undefined ? staleSince(outage) : `${live} · ${staleSince(outage)}`;
}

/** The line above a tree during an outage. */
export function staleMessage(outage: Outage): string {
  return l10n.t('Stale since {0} — {1}. Showing the last known data (dimmed); it refreshes when NATS answers again.', clockTime(outage.since), cause(outage));
}
