import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEvent } from '../../server/src/codec/decode';
import { AsyncJobEventLogger, EventLoggerOptions, FlushError, LoggerStateError } from '../../server/src/logger/eventLogger';
import { publishOneAtATime } from '../../server/src/logger/oneAtATime';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { NatsSession } from '../../server/src/storage/session';
import { SEED_LIMITS, StreamLimits } from '../../server/src/storage/streamConfig';
import { InvalidIdError } from '../../server/src/subjects/tokens';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { assertExactlyOnceInOrder, indexOf } from '../support/audit';
import { eventually } from '../support/eventually';
import { NatsServer } from '../support/natsServer';
import { waitFor } from '../support/processorFixture';

const STREAM = 'NAQ_JOB_EVENTS';
const PREFIX = 'naq.jobs.events';

interface Rig {
  server: NatsServer;
  session: NatsSession;
  logger: AsyncJobEventLogger;
}

/** A fresh server, a session that reconnects forever and quickly, and a started logger. */
async function rig(options: EventLoggerOptions = {}, limits: StreamLimits = SEED_LIMITS, config?: string, user?: string): Promise<Rig> {
  const server = await NatsServer.start({ config });
  try {
    const session = await withTimeout(
      NatsSession.open({
        connection: { servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100, ...(user ? { user, pass: user } : {}) },
        streamName: STREAM,
        subjectPrefix: PREFIX,
        timeoutMs: 5_000,
        limits,
      }),
      10_000,
      'opening the session',
    );
    const logger = new AsyncJobEventLogger(session, options);
    logger.start();
    return { server, session, logger };
  } catch (error) {
    await server.dispose();
    throw error;
  }
}

async function teardown(r: Rig): Promise<void> {
  await withTimeout(r.logger.stop(2_000), 5_000, 'stopping the logger').catch(() => undefined);
  await withTimeout(r.session.close(), 5_000, 'closing the session').catch(() => undefined);
  await r.server.dispose();
}

async function streamCount(session: NatsSession): Promise<number> {
  return (await withTimeout(session.jsm.streams.info(session.streamName), 5_000, 'stream info')).state.messages;
}

/** The stream's message count once it holds at least `n` (a count above `n` is returned, for the caller to refuse). */
async function waitForCount(session: NatsSession, n: number): Promise<number> {
  return eventually(`${n} messages in the stream`, async () => {
    const count = await streamCount(session);
    return count >= n && count;
  });
}

interface Stored {
  seq: number;
  subject: string;
  msgId: string;
  event: JobEvent;
}

/** Every message of the stream, in stream order, read with an ordered consumer (single string filter: 2.9). */
async function readAll(session: NatsSession): Promise<Stored[]> {
  const total = await streamCount(session);
  const out: Stored[] = [];
  if (total === 0) return out;
  const consumer = await withTimeout(session.js.consumers.get(session.streamName, { filterSubjects: `${PREFIX}.>` }), 5_000, 'ordered consumer');
  const messages = await withTimeout(consumer.consume({ max_messages: 1_000 }), 5_000, 'consume');
  // Ends the iteration (and the test, with a failed count) instead of hanging.
  const guard = setTimeout(() => messages.stop(), 60_000);
  try {
    for await (const m of messages) {
      out.push({ seq: m.seq, subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id') ?? '', event: decodeEvent(m.data) });
      if (out.length >= total) break;
    }
  } finally {
    clearTimeout(guard);
    messages.stop();
  }
  return out;
}

/** `count` events over `jobs` jobs; `details.i` numbers them in logging order. */
function makeEvents(count: number, jobs: number, from = 0): JobEvent[] {
  const events: JobEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const job = `job-${i % jobs}`;
    events.push(
      i % 3 === 0
        ? JobEvents.enqueued(job, 'default', 0, { details: { i } })
        : JobEvents.started(job, `w${i % 7}`, 'async', { details: { i } }),
    );
  }
  return events;
}

test('stores every event exactly once, in order per job, with nats_subject in the payload and nats_sequence set', { timeout: 60_000 }, async () => {
  const r = await rig({ batchSize: 50, window: 256 });
  try {
    const events = makeEvents(3_000, 300);
    for (const e of events) await r.logger.log(e);
    await r.logger.flush(20_000);
    assert.equal(await streamCount(r.session), 3_000);
    const stored = await readAll(r.session);
    assertExactlyOnceInOrder(stored, 3_000);
    for (const s of stored) {
      assert.equal(s.event.nats_subject, s.subject, 'nats_subject is encoded before publishing (errata 7)');
      assert.equal(events[indexOf(s.event)]?.nats_sequence, s.seq, 'nats_sequence is set from the ack');
    }
    const stats = r.logger.stats();
    assert.equal(stats.stored, 3_000);
    assert.equal(stats.buffered, 0);
    assert.equal(stats.failed, 0);
  } finally {
    await teardown(r);
  }
});

test('the seed layout helpers log through the same path', { timeout: 30_000 }, async () => {
  const r = await rig();
  try {
    await r.logger.logJobEnqueued('job-1', 'high', 5);
    await r.logger.logJobStarted('job-1', 'w1', 'async');
    await r.logger.logJobFailed('job-1', 'w1', new RangeError('boom'), 12.5, 2);
    await r.logger.logJobCompleted('job-1', 'w1', 20);
    await r.logger.logWorkerLifecycle('w1', 'worker_heartbeat');
    await r.logger.flush(10_000);
    const stored = await readAll(r.session);
    assert.deepEqual(
      stored.map((s) => s.subject),
      [
        `${PREFIX}.job-1.queue.high.enqueued`,
        `${PREFIX}.job-1.worker.w1.started`,
        `${PREFIX}.job-1.worker.w1.failed`,
        `${PREFIX}.job-1.worker.w1.completed`,
        `${PREFIX}.worker:w1.worker.w1.worker_heartbeat`,
      ],
    );
    assert.equal(stored[2]?.event.error_type, 'RangeError');
    assert.deepEqual(stored[2]?.event.details.retry_count, 2);
  } finally {
    await teardown(r);
  }
});

test('flushes when batchSize events are waiting, not before', { timeout: 30_000 }, async () => {
  const r = await rig({ batchSize: 10, flushIntervalMs: 60_000 });
  try {
    for (const e of makeEvents(9, 3)) await r.logger.log(e);
    // A batch goes to the publisher inside log(), and the interval is a minute away: nothing was sent.
    const waiting = r.logger.stats();
    assert.deepEqual([waiting.buffered, waiting.inFlight, waiting.stored], [9, 0, 0], 'nine events wait for the tenth');
    assert.equal(await streamCount(r.session), 0);
    await r.logger.log(makeEvents(1, 3, 9)[0] as JobEvent);
    assert.equal(await waitForCount(r.session, 10), 10);
  } finally {
    await teardown(r);
  }
});

test('flushes every flushIntervalMs without a full batch', { timeout: 30_000 }, async () => {
  const r = await rig({ batchSize: 1_000, flushIntervalMs: 200 });
  try {
    for (const e of makeEvents(5, 5)) await r.logger.log(e);
    assert.equal(await waitForCount(r.session, 5), 5);
    assert.equal(r.logger.stats().stored, 5);
  } finally {
    await teardown(r);
  }
});

test('a bad id rejects log() at once with InvalidIdError and buffers nothing', { timeout: 30_000 }, async () => {
  const r = await rig();
  try {
    await assert.rejects(r.logger.log(JobEvents.started('job.with.dots', 'w1', 'async')), InvalidIdError);
    await assert.rejects(r.logger.logJobStarted('job-1', 'worker *', 'async'), InvalidIdError);
    await assert.rejects(r.logger.logJobEnqueued('global', 'q'), InvalidIdError);
    await assert.rejects(r.logger.logJobEnqueued('', 'q'), InvalidIdError);
    assert.equal(r.logger.stats().logged, 0);
    assert.equal(r.logger.stats().buffered, 0);
    await r.logger.logJobEnqueued('job-ok', 'q');
    await r.logger.flush(5_000);
    assert.equal(await streamCount(r.session), 1);
  } finally {
    await teardown(r);
  }
});

test('stop() flushes everything and reports it; log() after stop() rejects', { timeout: 30_000 }, async () => {
  const r = await rig({ batchSize: 10_000, flushIntervalMs: 60_000 });
  try {
    for (const e of makeEvents(500, 50)) await r.logger.log(e);
    assert.equal(await streamCount(r.session), 0);
    const report = await withTimeout(r.logger.stop(10_000), 15_000, 'stop');
    assert.deepEqual(report, { stored: 500, notStored: [], notStoredOmitted: 0 });
    assert.equal(await streamCount(r.session), 500);
    await assert.rejects(r.logger.logJobEnqueued('job-late', 'q'), LoggerStateError);
    assert.deepEqual(await r.logger.stop(), report, 'stop() is idempotent');
  } finally {
    await teardown(r);
  }
});

test('back-pressure: with NATS down a full buffer makes log() wait, and it all lands after the restart', { timeout: 60_000 }, async () => {
  const r = await rig({ maxBufferSize: 50, batchSize: 10, flushIntervalMs: 100 });
  try {
    await r.server.kill();
    await waitFor(() => !r.logger.stats().connected, 'the logger to see the disconnect', 5_000);
    const events = makeEvents(200, 20);
    const settled: boolean[] = events.map(() => false);
    const logs = events.map((e, i) => r.logger.log(e).then(() => (settled[i] = true)));
    await waitFor(() => settled.filter(Boolean).length >= 50, 'maxBufferSize calls to get in', 5_000);
    // With the server down nothing can leave the buffer, so the others cannot get in any more.
    assert.equal(settled.filter(Boolean).length, 50, 'exactly maxBufferSize calls got in');
    assert.equal(settled[50], false, 'the 51st log() is still waiting');
    assert.equal(r.logger.stats().buffered, 50);
    assert.equal(r.logger.stats().waiting, 150);
    await r.server.restart();
    await withTimeout(Promise.all(logs), 20_000, 'the waiting log() calls');
    await r.logger.flush(20_000);
    assertExactlyOnceInOrder(await readAll(r.session), 200);
  } finally {
    await teardown(r);
  }
});

test('stop() with the server down reports exactly the events not stored, within its timeout', { timeout: 60_000 }, async () => {
  const r = await rig({ batchSize: 5, flushIntervalMs: 100 });
  try {
    const before = makeEvents(30, 10);
    for (const e of before) await r.logger.log(e);
    await r.logger.flush(10_000);
    await r.server.kill();
    await waitFor(() => !r.logger.stats().connected, 'the logger to see the disconnect', 5_000);
    const after = makeEvents(20, 10, 30);
    for (const e of after) await r.logger.log(e);
    const report = await withTimeout(r.logger.stop(1_500), 10_000, 'stop');
    assert.equal(report.stored, 30);
    assert.equal(report.notStored.length, 20);
    assert.deepEqual(
      report.notStored.map((n) => n.event),
      after,
      'the very event objects logged while down, in order',
    );
    for (const n of report.notStored) {
      assert.match(n.reason, /not stored within stop\(\)'s 1500 ms: NATS disconnected/);
      assert.equal(n.maybeStored, false, 'never sent: certainly not stored');
    }
    // Proof: after the restart the stream holds exactly the 30 reported as stored.
    await r.server.restart();
    // The logger is stopped: nothing can be on its way to the stream any more.
    assert.equal(await eventually('the stream after the restart', () => streamCount(r.session)), 30);
  } finally {
    await teardown(r);
  }
});

/** Logs `total` events, SIGKILLs the server once `killAt` are stored, restarts it after `downMs`, and flushes. */
async function runThroughOutage(r: Rig, total: number, killAt: number, downMs: number): Promise<number> {
  const events = makeEvents(total, 2_000);
  let outage: Promise<void> | undefined;
  let storedAtKill = 0;
  for (const e of events) {
    await r.logger.log(e);
    // Kill while thousands are in flight, and keep logging through the outage.
    if (!outage && r.logger.stats().stored >= killAt) {
      storedAtKill = r.logger.stats().stored;
      outage = (async () => {
        await r.server.kill();
        // The outage's length is the scenario (one test needs it longer than the duplicate window), not a wait for an event.
        await delay(downMs);
        await r.server.restart();
      })();
    }
  }
  assert.ok(outage, 'the outage happened');
  await withTimeout(outage, 20_000 + downMs, 'kill and restart');
  await r.logger.flush(60_000);
  return storedAtKill;
}

test('SIGKILL and restart of the server mid-run: 20,000 events, every one stored exactly once, in order per job', { timeout: 120_000 }, async (t) => {
  const r = await rig({ window: 2_048 });
  try {
    const total = 20_000;
    const storedAtKill = await runThroughOutage(r, total, 5_000, 1_000);
    const stats = r.logger.stats();
    const stored = await readAll(r.session);
    assert.equal(await streamCount(r.session), total);
    assertExactlyOnceInOrder(stored, total);
    assert.equal(stats.stored, total);
    assert.equal(stats.failed, 0);
    assert.ok(stats.retries > 0, 'messages in flight at the kill were sent again');
    t.diagnostic(`killed at ${storedAtKill} stored; resent ${stats.retries}, of which the server had already stored ${stats.duplicates}`);
  } finally {
    await teardown(r);
  }
});

test('an outage longer than the duplicate window: messages in doubt are looked up, not stored twice', { timeout: 120_000 }, async (t) => {
  // A 1.5 s duplicate window and a 3 s outage: the server has forgotten every message id when it is back.
  const r = await rig({ window: 2_048 }, { ...SEED_LIMITS, duplicateWindowMs: 1_500 });
  try {
    const total = 20_000;
    const storedAtKill = await runThroughOutage(r, total, 5_000, 3_000);
    const stats = r.logger.stats();
    assertExactlyOnceInOrder(await readAll(r.session), total);
    assert.equal(stats.stored, total);
    assert.equal(stats.unverifiedResends, 0);
    t.diagnostic(`killed at ${storedAtKill} stored; found already stored by look-up ${stats.reconciled}, resent ${stats.retries}`);
  } finally {
    await teardown(r);
  }
});

test('a message the stream refuses (too large) fails alone, named by flush() and stop()', { timeout: 30_000 }, async () => {
  const r = await rig({ batchSize: 1 }, { ...SEED_LIMITS, maxMsgSize: 2_048 });
  try {
    await r.logger.logJobEnqueued('job-1', 'q');
    const big = JobEvents.enqueued('job-2', 'q', 0, { details: { blob: 'x'.repeat(4_096) } });
    await r.logger.log(big);
    await r.logger.logJobEnqueued('job-3', 'q');
    const error = await r.logger.flush(10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof FlushError, `flush() rejects with a FlushError, got ${String(error)}`);
    assert.equal(error.notStored.length, 1);
    assert.equal(error.notStored[0]?.event, big);
    assert.match(error.notStored[0]?.reason ?? '', /message size exceeds maximum allowed/);
    await r.logger.flush(10_000); // reported once: the next flush is clean
    assert.equal(await streamCount(r.session), 2);
    const report = await r.logger.stop(5_000);
    assert.equal(report.stored, 2);
    assert.deepEqual(report.notStored.map((n) => n.event), [big]);
  } finally {
    await teardown(r);
  }
});

test('with the stream deleted, events fail after giveUpAfterMs with a reason naming the cause', { timeout: 30_000 }, async () => {
  const r = await rig({ batchSize: 1, giveUpAfterMs: 600, ackTimeoutMs: 500 });
  try {
    await r.logger.logJobEnqueued('job-1', 'q');
    await r.logger.flush(5_000);
    await withTimeout(r.session.jsm.streams.delete(STREAM), 5_000, 'deleting the stream');
    await r.logger.logJobEnqueued('job-2', 'q');
    const error = await r.logger.flush(10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof FlushError);
    assert.match(error.notStored[0]?.reason ?? '', /no stream stores this subject/);
    assert.equal(error.notStored[0]?.maybeStored, false);
    // The publisher's own account of how long it kept trying: giveUpAfterMs at least.
    const seconds = Number(/stored nothing from this connection for ([\d.]+) s/.exec(error.notStored[0]?.reason ?? '')?.[1]);
    assert.ok(seconds >= 0.6, `gave up after ${seconds} s, before giveUpAfterMs`);
    assert.ok(r.logger.stats().retries > 0, 'retried before giving up');
  } finally {
    await teardown(r);
  }
});

test('a permissions violation fails the events on that subject, and only those', { timeout: 30_000 }, async () => {
  const config = `authorization { users = [ { user: "u", password: "u", permissions: {
    publish: { allow: ["$JS.API.>", "${PREFIX}.*.queue.q.>", "_INBOX.>"] }, subscribe: { allow: ["_INBOX.>"] } } } ] }`;
  const r = await rig({ batchSize: 1 }, SEED_LIMITS, config, 'u');
  try {
    await r.logger.logJobEnqueued('job-1', 'q');
    const denied = JobEvents.enqueued('job-2', 'secret');
    await r.logger.log(denied);
    await r.logger.logJobEnqueued('job-3', 'q');
    const error = await r.logger.flush(10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof FlushError);
    assert.deepEqual(error.notStored.map((n) => n.event), [denied]);
    assert.match(error.notStored[0]?.reason ?? '', /permissions violation: this connection may not publish to naq\.jobs\.events\.job-2\.queue\.secret\.enqueued/);
    assert.equal(await streamCount(r.session), 2);
  } finally {
    await teardown(r);
  }
});

test('publishOneAtATime (the benchmark baseline) stores events one by one', { timeout: 30_000 }, async () => {
  const r = await rig();
  try {
    const events = makeEvents(50, 5);
    assert.equal(await publishOneAtATime(r.session, events), 50);
    assert.equal(await streamCount(r.session), 50);
    assert.ok(events.every((e) => e.nats_sequence !== null && e.nats_subject !== null));
  } finally {
    await teardown(r);
  }
});
