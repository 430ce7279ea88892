import { millis } from 'nats';
import { follow } from '../storage/follower';
import type { NatsSession } from '../storage/session';
import { TimeoutError, withTimeout } from '../util/timeout';
import type { PubAck } from './pubAck';

/**
 * Which of our messages the stream already holds, found by their `Nats-Msg-Id`: the check that makes a
 * resend safe once the server's duplicate window may have forgotten the first store (an outage longer
 * than the window). Reads headers only, from `fromSeq` to the stream's last message at the time of the
 * call, following the stream with no subject filter (a wildcard filter costs a scan of every block
 * on 2.9, see nats-facts.md). Rejects with a TimeoutError rather than hang.
 */
export async function findStoredByMsgId(session: NatsSession, fromSeq: number, msgIdPrefix: string): Promise<Map<string, PubAck>> {
  const found = new Map<string, PubAck>();
  const timeoutMs = session.timeoutMs;
  const state = (await withTimeout(session.jsm.streams.info(session.streamName), timeoutMs, 'reading the stream state')).state;
  const from = Math.max(fromSeq, state.first_seq);
  if (state.messages === 0 || state.last_seq < from) return found;
  // Headers only: 100k+ messages a second. Allow generously for the span, but never hang.
  const budgetMs = timeoutMs + (state.last_seq - from) / 10;
  let reachedEnd = false;
  const budget = new AbortController();
  const guard = setTimeout(() => budget.abort(), budgetMs);
  try {
    const messages = follow(session, { start: { from: 'sequence', seq: from }, headersOnly: true, batch: 1_000, signal: budget.signal });
    for await (const m of messages) {
      const msgId = m.headers?.get('Nats-Msg-Id');
      if (msgId?.startsWith(msgIdPrefix)) found.set(msgId, { stream: session.streamName, seq: m.seq, duplicate: true });
      // The last sequence, or nothing left (in case the last message was deleted meanwhile).
      if (m.seq >= state.last_seq || m.info.pending === 0) {
        reachedEnd = true;
        break;
      }
    }
  } finally {
    clearTimeout(guard);
  }
  if (!reachedEnd) {
    throw new TimeoutError(`reading stream ${session.streamName} from sequence ${from} to ${state.last_seq} took over ${Math.round(budgetMs)} ms`);
  }
  return found;
}

/** The stream's duplicate window in ms, read from its configuration. */
export async function duplicateWindowOf(session: NatsSession): Promise<number> {
  const info = await withTimeout(session.jsm.streams.info(session.streamName), session.timeoutMs, 'reading the stream configuration');
  return millis(info.config.duplicate_window ?? 0);
}
