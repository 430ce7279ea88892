import assert from 'node:assert/strict';
import { AckPolicy, ConsumerInfo, nanos } from 'nats';
import { decodeEvent } from '../../server/src/codec/decode';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import type { NatsSession } from '../../server/src/storage/session';
import { delay, withTimeout } from '../../server/src/util/timeout';

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
  return (await withTimeout(session.jsm.streams.info(session.streamName), 10_000, 'stream info')).state.messages;
}

/**
 * Every message of the stream matching `filter`, in stream order, through an ephemeral pull consumer.
 * After a cluster node died, a new consumer may be placed on it and never answer: the creation is
 * then retried with another consumer. Bounded: gives up after `timeoutMs` (with what it has), so a short
 * stream fails the audit instead of hanging.
 */
export async function readAllMessages(session: NatsSession, filter: string, timeoutMs = 60_000): Promise<StoredMessage[]> {
  const total = await streamMessages(session);
  const out: StoredMessage[] = [];
  if (total === 0) return out;
  const deadline = Date.now() + timeoutMs;
  let info: ConsumerInfo | undefined;
  for (let attempt = 1; !info; attempt++) {
    try {
      info = await withTimeout(
        session.jsm.consumers.add(session.streamName, { ack_policy: AckPolicy.None, filter_subject: filter, mem_storage: true, inactive_threshold: nanos(30_000) }),
        session.timeoutMs + 1_000,
        'creating the audit consumer',
      );
    } catch (error) {
      if (attempt >= 5 || Date.now() > deadline) throw error;
      await delay(500);
    }
  }
  const consumer = await withTimeout(session.js.consumers.get(session.streamName, info.name), 10_000, 'audit consumer');
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
