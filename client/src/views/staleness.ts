/**
 * How the trees say that what they show is the last known data: during an outage (see `Outage` in
 * the protocol) they keep their rows instead of emptying, and name since when and why. Pure, unit-tested.
 */
import type { Outage } from '../../../server/src/protocol/protocol';

/** Epoch milliseconds as the local wall-clock time, "HH:MM". */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

function cause(outage: Outage): string {
  return outage.cause === 'not-answering' ? 'NATS not answering' : 'NATS connection lost';
}

/** "stale since 23:52 — NATS not answering" */
export function staleSince(outage: Outage): string {
  return `stale since ${clockTime(outage.since)} — ${cause(outage)}`;
}

/** A view's description: its live one (a count) with the staleness after it. */
export function staleDescription(live: string | undefined, outage: Outage | undefined): string | undefined {
  if (outage === undefined) return live;
  return live === undefined ? staleSince(outage) : `${live} · ${staleSince(outage)}`;
}

/** The line above a tree during an outage. */
export function staleMessage(outage: Outage): string {
  const capitalised = staleSince(outage).replace(/^s/, 'S');
  return `${capitalised}. Showing the last known data (dimmed); it refreshes when NATS answers again.`;
}
