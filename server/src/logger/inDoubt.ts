import { messageId, numberOfMessageId } from './msgIdHeader';
import type { PubAck } from './pubAck';
import { SendWindow, WAITING, WindowEntry } from './sendWindow';

/**
 * Verify-by-message-id: what the publisher does before resending a message whose fate has been
 * unknown for longer than the stream's duplicate window can protect.
 *
 * A resend carries the first attempt's `Nats-Msg-Id`, and the server drops it as a duplicate only if
 * the first store is still inside its duplicate window. Past that, the resend would be stored a second
 * time, so the messages at risk are looked up in the stream by id first (the look-up itself is
 * `findStoredByMsgId`); those found are settled as stored, the others are known not stored and lose
 * their doubt. These functions pick the messages and read the answer; the publisher runs the look-up.
 */

/** Messages to look up, and the stream sequence the look-up must start at to cover all of them. */
export interface AtRisk<M> {
  entries: WindowEntry<M>[];
  fromSeq: number;
}

/**
 * How long a message may have been in doubt and still be resent blindly: the duplicate window less a
 * margin for the resend's way to the server.
 */
export function safeResendMs(duplicateWindowMs: number): number {
  return duplicateWindowMs - Math.min(5_000, duplicateWindowMs / 4);
}

/** The WAITING messages in doubt for too long at `now` to be resent blindly; undefined when none. */
export function atRisk<M>(window: SendWindow<M>, now: number, duplicateWindowMs: number): AtRisk<M> | undefined {
  const safeFor = safeResendMs(duplicateWindowMs);
  let fromSeq = Infinity;
  const entries: WindowEntry<M>[] = [];
  for (const entry of window.pending()) {
    if (entry.state === WAITING && entry.doubtSince && now - entry.doubtSince >= safeFor) {
      entries.push(entry);
      fromSeq = Math.min(fromSeq, entry.doubtAfterSeq + 1);
    }
  }
  return entries.length === 0 ? undefined : { entries, fromSeq };
}

/**
 * Reads a look-up's answer, taken while sending was paused and every attempt had gone back to WAITING:
 * a message at risk that is not found was not stored, so it is no longer in doubt. Returns the unsettled
 * messages that were found, with where they are stored, for the caller to settle; ids of other
 * publishers, and of messages settled meanwhile, are left out.
 */
export function readLookup<M>(window: SendWindow<M>, msgIdPrefix: string, found: ReadonlyMap<string, PubAck>, risk: AtRisk<M>): [WindowEntry<M>, PubAck][] {
  for (const entry of risk.entries) {
    if (entry.state !== WAITING) continue;
    if (!found.has(messageId(msgIdPrefix, entry.id))) {
      entry.uncertain = false;
      entry.doubtSince = 0;
    }
  }
  const stored: [WindowEntry<M>, PubAck][] = [];
  for (const [msgId, ack] of found) {
    const entry = window.unsettledById(numberOfMessageId(msgIdPrefix, msgId));
    if (entry) stored.push([entry, ack]);
  }
  return stored;
}

/** No look-up possible: the messages are resent anyway (possible duplicates) and their doubt stops counting as new. */
export function acceptRisk<M>(risk: AtRisk<M>): void {
  for (const entry of risk.entries) entry.doubtSince = 0;
}
