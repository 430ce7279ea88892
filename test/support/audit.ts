import assert from 'node:assert/strict';
import { AckPolicy, ErrorCode, nanos } from 'nats';
import { decodeEvent } from '../../server/src/codec/decode';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import type { NatsSession } from '../../server/src/storage/session';
import { delay, TimeoutError, withTimeout } from '../../server/src/util/timeout';

/** Helpers shared by the reliability tests: numbered events, and an exactly-once audit of the stream. */

export interface StoredMessage {
  seq: number;
  subject: string;
  msgId: string;
  event: JobEvent;
}

/** The `i`-th event of a run over `jobs` jobs: `details.i` numbers it in logging order. */
export function numberedEvent(i: number, jobs: number, tag = 'run'): JobEvent {
  const job = `${tag}-${i % jobs}`;
  return i % 3 === 0
    ? JobEvents.enqueued(job, 'default', 0, { details: { i } })
    : JobEvents.started(job, `w${i % 7}`, 'async', { details: { i } });
}

export const indexOf = (event: JobEvent): number => event.details.i as number;

export async function streamMessages(session: NatsSession): Promise<number> {
  return (await untilAnswered('stream info', () => session.jsm.streams.info(session.streamName))).state.messages;
}

/**
 * A JetStream API request, asked again while it times out: after a cluster node died, requests routed
 * through the survivors go unanswered until the stream's or the meta group's new leader is elected
 * (seen: 10 s for the stream's). Any other error is thrown at once; bounded by `timeoutMs`.
 */
export async function untilAnswered<T>(what: string, request: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await withTimeout(request(), 10_000, what);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const unanswered = error instanceof TimeoutError || code === ErrorCode.Timeout || code === ErrorCode.NoResponders;
      if (!unanswered || Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await delay(250);
    }
  }
}

/**
 * Every message of the stream matching `filter`, in stream order, through an ephemeral pull consumer.
 * After a cluster node died, a new consumer may be placed on it and never answer: the creation is
 * then asked again, for another consumer. Bounded: gives up after `timeoutMs` (with what it has), so a short
 * stream fails the audit instead of hanging.
 */
export async function readAllMessages(session: NatsSession, filter: string, timeoutMs = 60_000): Promise<StoredMessage[]> {
  const total = await streamMessages(session);
  const out: StoredMessage[] = [];
  if (total === 0) return out;
  const deadline = Date.now() + timeoutMs;
  const info = await untilAnswered(
    'creating the audit consumer',
    () => session.jsm.consumers.add(session.streamName, { ack_policy: AckPolicy.None, filter_subject: filter, mem_storage: true, inactive_threshold: nanos(30_000) }),
    timeoutMs,
  );
  const consumer = await untilAnswered('audit consumer', () => session.js.consumers.get(session.streamName, info.name));
  const messages = await withTimeout(consumer.consume({ max_messages: 2_000 }), 10_000, 'consume');
  const guard = setTimeout(() => messages.stop(), Math.max(1, deadline - Date.now()));
  try {
    for await (const m of messages) {
      out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? '', event: decodeEvent(m.data, { seq: m.seq, subject: m.subject }) });
      // The count at creation can lag on a stream whose leader just changed (seen: 271 short of what the
      // stream held); each delivery's own pending count is the live one.
      if (out.length >= info.num_pending && m.info.pending === 0) break;
    }
  } finally {
    clearTimeout(guard);
    messages.stop();
    await withTimeout(consumer.delete(), 5_000, 'deleting the audit consumer').catch(() => undefined);
  }
  return out;
}

/**
 * Events 0 .. expected-1 each stored exactly once (by message id and by `details.i`), nothing else,
 * and each job's events in logging order.
 */
export function assertExactlyOnceInOrder(stored: StoredMessage[], expected: number): void {
  const ids = new Set<string>();
  const duplicateIds: string[] = [];
  for (const s of stored) {
    if (ids.has(s.msgId)) duplicateIds.push(s.msgId);
    ids.add(s.msgId);
  }
  assert.ok(!ids.has(''), 'a message without Nats-Msg-Id');
  assert.deepEqual(duplicateIds.slice(0, 10), [], `${duplicateIds.length} message ids stored more than once`);
  const seen = new Uint8Array(expected);
  const twice: number[] = [];
  for (const s of stored) {
    const i = indexOf(s.event);
    assert.ok(Number.isSafeInteger(i) && i >= 0 && i < expected, `unexpected event ${JSON.stringify(s.event.details)} at sequence ${s.seq}`);
    if (seen[i]) twice.push(i);
    seen[i] = 1;
  }
  assert.deepEqual(twice.slice(0, 10), [], `${twice.length} events stored twice`);
  const missing: number[] = [];
  for (let i = 0; i < expected; i++) if (!seen[i]) missing.push(i);
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} events missing`);
  assert.equal(stored.length, expected);
  const lastPerJob = new Map<string, number>();
  for (const s of stored) {
    const previous = lastPerJob.get(s.event.job_id) ?? -1;
    assert.ok(indexOf(s.event) > previous, `job ${s.event.job_id}: event ${indexOf(s.event)} stored after ${previous}`);
    lastPerJob.set(s.event.job_id, indexOf(s.event));
  }
}
