import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventDecodeError } from '../../server/src/codec/decode';
import { createEvent, JobEvent } from '../../server/src/model/event';
import { JobEventType } from '../../server/src/model/eventType';
import { JobEvents } from '../../server/src/model/factories';
import { EventProcessor, EventProcessorOptions } from '../../server/src/processor/eventProcessor';
import { HandlerError, ProcessorConfigError, ProcessorError, ProcessorStreamError } from '../../server/src/processor/errors';
import { NatsSession } from '../../server/src/storage/session';
import { delay, withTimeout } from '../../server/src/util/timeout';
import { NatsServer } from '../support/natsServer';
import { consumerNames, nextDisconnect, openSession, publish, publishRetrying, waitFor } from '../support/processorFixture';
import { PREFIX, STREAM } from '../support/storageFixture';

const TEST_TIMEOUT = { timeout: 60_000 };

interface Env {
  server: NatsServer;
  session: NatsSession;
}

/** A fresh server and session per test; stops every processor handed to `track` before tearing down. */
async function withEnv(body: (env: Env, track: (p: EventProcessor) => EventProcessor) => Promise<void>): Promise<void> {
  const server = await NatsServer.start();
  const processors: EventProcessor[] = [];
  let session: NatsSession | undefined;
  try {
    session = await openSession(server);
    await body({ server, session }, (p) => {
      processors.push(p);
      return p;
    });
  } finally {
    for (const p of processors) await withTimeout(p.stop(), 10_000, 'stopping a processor').catch(() => undefined);
    await session?.close();
    await server.dispose();
  }
}

function collector(): { errors: ProcessorError[]; onError: (e: ProcessorError) => void } {
  const errors: ProcessorError[] = [];
  return { errors, onError: (e) => errors.push(e) };
}

function live(session: NatsSession, options: EventProcessorOptions = {}): EventProcessor {
  return new EventProcessor(session, { stopTimeoutMs: 2_000, ...options });
}

test('per-type handlers run before global ones, each for its own type', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const { errors, onError } = collector();
    const p = track(live(session, { onError }));
    const calls: string[] = [];
    p.addHandler(JobEventType.COMPLETED, (e) => void calls.push(`completed:${e.job_id}`));
    p.addHandler(JobEventType.FAILED, async (e) => {
      await delay(5);
      calls.push(`failed:${e.job_id}`);
    });
    p.addGlobalHandler((e) => void calls.push(`global:${e.event_type}`));
    await withTimeout(p.start(), 5_000, 'start');

    await publish(session, JobEvents.enqueued('j1', 'default'));
    await publish(session, JobEvents.completed('j1', 'w1', 12.5));
    await publish(session, JobEvents.failed('j2', 'w1', { name: 'ValueError', message: 'bad' }, 3));
    await waitFor(() => calls.filter((c) => c.startsWith('global')).length === 3, 'three events');

    assert.deepEqual(calls, ['global:enqueued', 'completed:j1', 'global:completed', 'failed:j2', 'global:failed']);
    assert.deepEqual(errors, []);
    const stats = p.stats();
    assert.equal(stats.processed, 3);
    assert.equal(stats.running, true);
    assert.equal(typeof stats.lastSequence, 'number');
  });
});

test('removed handlers (by remove* or by disposer) are not called again', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const p = track(live(session));
    const seen: string[] = [];
    const typed = (e: JobEvent): void => void seen.push(`typed:${e.job_id}`);
    const global = (e: JobEvent): void => void seen.push(`global:${e.job_id}`);
    p.addHandler('started', typed);
    p.addGlobalHandler(global);
    const disposeTyped = p.addHandler('started', (e) => void seen.push(`disposable:${e.job_id}`));
    const disposeGlobal = p.addGlobalHandler((e) => void seen.push(`disposable-global:${e.job_id}`));
    const marker: string[] = [];
    p.addGlobalHandler((e) => void marker.push(e.job_id));
    assert.equal(p.handlerCount(), 5);
    assert.equal(p.handlerCount('started'), 2);
    await p.start();

    await publish(session, JobEvents.started('a', 'w', 'async'));
    await waitFor(() => marker.length === 1, 'first event');
    assert.deepEqual(seen.sort(), ['disposable-global:a', 'disposable:a', 'global:a', 'typed:a']);

    assert.equal(p.removeHandler('started', typed), true);
    assert.equal(p.removeHandler('started', typed), false, 'a second removal finds nothing');
    assert.equal(p.removeGlobalHandler(global), true);
    assert.equal(p.removeGlobalHandler(global), false);
    disposeTyped();
    disposeGlobal();
    disposeGlobal(); // idempotent
    assert.equal(p.handlerCount(), 1);
    seen.length = 0;

    await publish(session, JobEvents.started('b', 'w', 'async'));
    await waitFor(() => marker.length === 2, 'second event');
    assert.deepEqual(seen, []);
  });
});

test('a throwing, rejecting or hanging handler is reported and the others still run', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const { errors, onError } = collector();
    const p = track(live(session, { onError, handlerTimeoutMs: 300 }));
    const reached: string[] = [];
    p.addHandler('failed', function throwsSync() {
      throw new Error('sync boom');
    });
    p.addHandler('failed', async function rejects() {
      await delay(1);
      throw new Error('async boom');
    });
    p.addHandler('failed', function hangs() {
      return new Promise<void>(() => undefined);
    });
    p.addHandler('failed', () => void reached.push('typed'));
    p.addGlobalHandler(() => {
      // Not an Error: still reported, with a readable message.
      throw 'string thrown';
    });
    p.addGlobalHandler((e) => void reached.push(`global:${e.job_id}`));
    await p.start();

    const seq = await publish(session, JobEvents.failed('job-x', 'w1', { name: 'E', message: 'm' }, 1));
    await waitFor(() => reached.length === 2, 'the healthy handlers');
    assert.deepEqual(reached, ['typed', 'global:job-x']);

    assert.equal(errors.length, 4);
    for (const error of errors) {
      assert.ok(error instanceof HandlerError, String(error));
      assert.equal(error.jobId, 'job-x');
      assert.equal(error.eventType, 'failed');
      assert.equal(error.sequence, seq);
      assert.match(error.subject ?? '', /^naq\.jobs\.events\.job-x\.worker\.w1\.failed$/);
    }
    const [sync, async, hung, global] = errors as HandlerError[];
    assert.equal(sync?.handlerName, 'throwsSync');
    assert.equal((sync?.cause as Error).message, 'sync boom');
    assert.match(sync?.message ?? '', /"failed" handler throwsSync failed on job "job-x" event "failed" \(sequence \d+\): sync boom/);
    assert.equal((async?.cause as Error).message, 'async boom');
    assert.equal(hung?.handlerName, 'hangs');
    assert.match(hung?.message ?? '', /timed out after 300 ms/);
    assert.equal(global?.scope, 'global');
    assert.match(global?.message ?? '', /string thrown/);
    assert.equal(p.stats().handlerFailures, 4);
    assert.equal(p.stats().processed, 1);
  });
});

test('processEvent works without a stream and honours enabled=false', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }) => {
    const seen: string[] = [];
    const off = new EventProcessor(session, { enabled: false });
    off.addGlobalHandler((e) => void seen.push(e.job_id));
    await off.processEvent(createEvent({ job_id: 'x', event_type: 'enqueued' }));
    await off.start();
    assert.equal(off.isRunning, false);
    assert.equal(seen.length, 0);

    const { errors, onError } = collector();
    const on = new EventProcessor(session, { onError });
    on.addGlobalHandler(() => {
      throw new Error('no');
    });
    on.addGlobalHandler((e) => void seen.push(e.job_id));
    await on.processEvent(createEvent({ job_id: 'y', event_type: 'enqueued' }));
    assert.deepEqual(seen, ['y']);
    assert.equal((errors[0] as HandlerError).sequence, null);
    assert.doesNotMatch(errors[0]?.message ?? '', /sequence/);
  });
});

test('monitorJob sees only its job (and types), until disposed', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const p = track(live(session));
    const all: string[] = [];
    const finished: string[] = [];
    const other: string[] = [];
    const stopAll = p.monitorJob('job-1', (e) => void all.push(e.event_type));
    p.monitorJob('job-1', (e) => void finished.push(e.event_type), [JobEventType.COMPLETED, JobEventType.FAILED]);
    p.monitorJob('job-2', (e) => void other.push(e.event_type));
    const marker: string[] = [];
    p.addGlobalHandler((e) => void marker.push(e.job_id));
    await p.start();

    await publish(session, JobEvents.enqueued('job-1', 'q'));
    await publish(session, JobEvents.enqueued('job-2', 'q'));
    await publish(session, JobEvents.started('job-1', 'w', 'async'));
    await publish(session, JobEvents.completed('job-1', 'w', 5));
    await waitFor(() => marker.length === 4, 'four events');
    assert.deepEqual(all, ['enqueued', 'started', 'completed']);
    assert.deepEqual(finished, ['completed']);
    assert.deepEqual(other, ['enqueued']);

    stopAll();
    assert.equal(p.handlerCount(), 3);
    await publish(session, JobEvents.cancelled('job-1', 'x'));
    await waitFor(() => marker.length === 5, 'fifth event');
    assert.deepEqual(all, ['enqueued', 'started', 'completed']);
  });
});

test('waitForJobEvent resolves with the event or null, and never leaves its handler behind', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const p = track(live(session));
    await p.start();
    assert.equal(p.handlerCount(), 0);

    const waiting = p.waitForJobEvent('job-7', JobEventType.COMPLETED, 5_000);
    assert.equal(p.handlerCount(), 1);
    await publish(session, JobEvents.completed('job-6', 'w', 1)); // other job: ignored
    await publish(session, JobEvents.started('job-7', 'w', 'async')); // other type: ignored
    const seq = await publish(session, JobEvents.completed('job-7', 'w', 42));
    const event = await waiting;
    assert.equal(event?.job_id, 'job-7');
    assert.equal(event?.duration_ms, 42);
    assert.equal(event?.nats_sequence, seq);
    assert.equal(p.handlerCount(), 0, 'handler removed after success');

    const none = await p.waitForJobEvent('job-7', JobEventType.FAILED, 200);
    assert.equal(none, null);
    assert.equal(p.handlerCount(), 0, 'handler removed after timeout');
  });
});

test('a malformed payload is reported with its sequence and subject, and the next event is handled', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const { errors, onError } = collector();
    const p = track(live(session, { onError }));
    const seen: string[] = [];
    p.addGlobalHandler((e) => void seen.push(e.job_id));
    await p.start();

    const badSubject = `${PREFIX}.broken.enqueued`;
    // 0xc1 is the one byte msgpack never uses.
    const bad = await session.js.publish(badSubject, Uint8Array.of(0xc1));
    const notAMap = await session.js.publish(`${PREFIX}.broken2.enqueued`, Uint8Array.of(0x2a));
    await publish(session, JobEvents.enqueued('good', 'q'));
    await waitFor(() => seen.length === 1, 'the good event');

    assert.deepEqual(seen, ['good']);
    assert.equal(errors.length, 2);
    const [first, second] = errors;
    assert.ok(first instanceof EventDecodeError);
    assert.equal(first.seq, bad.seq);
    assert.equal(first.subject, badSubject);
    assert.match(first.message, new RegExp(`sequence ${bad.seq}, subject "naq\\.jobs\\.events\\.broken\\.enqueued"`));
    assert.ok(second instanceof EventDecodeError);
    assert.equal(second.seq, notAMap.seq);
    assert.equal(p.stats().decodeErrors, 2);
    assert.equal(p.stats().processed, 1);
  });
});

test('events stored before start() are not replayed; start() is a clean cut', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    await publish(session, JobEvents.enqueued('before', 'q'));
    const p = track(live(session));
    const seen: string[] = [];
    p.addGlobalHandler((e) => void seen.push(e.job_id));
    await p.start();
    // Published the instant start() resolved: must not fall between "now" and the consumer's creation.
    await publish(session, JobEvents.enqueued('after', 'q'));
    // Delivery keeps stream order: a replayed 'before' would be there ahead of 'after'.
    await waitFor(() => seen.includes('after'), 'the event published after start');
    assert.deepEqual(seen, ['after']);

    const replay = track(live(session, { start: { from: 'all' } }));
    const replayed: string[] = [];
    replay.addGlobalHandler((e) => void replayed.push(e.job_id));
    await replay.start();
    await waitFor(() => replayed.length === 2, 'the replay');
    assert.deepEqual(replayed, ['before', 'after']);
  });
});

test('stop() deletes the ephemeral consumer at once, even when a handler hangs past the stop timeout', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }, track) => {
    const p = track(live(session));
    await p.start();
    await p.start(); // idempotent
    assert.equal((await consumerNames(session)).length, 1, 'the consumer exists when start() resolves');
    await publish(session, JobEvents.enqueued('x', 'q'));
    await waitFor(() => p.stats().processed === 1, 'first event');
    await p.stop();
    assert.deepEqual(await consumerNames(session), [], 'no consumer left right after stop()');
    assert.equal(p.isRunning, false);

    // A processor can be started again after stop().
    await p.start();
    await publish(session, JobEvents.enqueued('y', 'q'));
    await waitFor(() => p.stats().processed === 2, 'event after restart');

    const stuck = track(live(session, { stopTimeoutMs: 300, handlerTimeoutMs: 0 }));
    let entered = false;
    stuck.addGlobalHandler(() => {
      entered = true;
      return new Promise<void>(() => undefined);
    });
    await stuck.start();
    await publish(session, JobEvents.enqueued('z', 'q'));
    await waitFor(() => entered, 'the hanging handler');
    await p.stop();
    // The handler never returns: stop() resolving at all is what shows it gave up on it.
    await withTimeout(stuck.stop(), 10_000, 'stop with a hanging handler');
    assert.deepEqual(await consumerNames(session), [], 'the hanging handler does not keep the consumer alive');
  });
});

test('bad options are refused up front', TEST_TIMEOUT, async () => {
  await withEnv(async ({ session }) => {
    assert.throws(() => new EventProcessor(session, { consumerName: 'a.b' }), ProcessorConfigError);
    assert.throws(() => new EventProcessor(session, { consumerName: 'a b' }), /invalid consumer name "a b": must not contain whitespace/);
    assert.throws(() => new EventProcessor(session, { filter: 'naq..x' }), /invalid filter "naq\.\.x": empty token/);
    assert.throws(() => new EventProcessor(session, { ackWaitMs: 10 }), /ackWaitMs must be a number of at least 1000, got 10/);
    await assert.rejects(() => new EventProcessor(session).deleteDurable(), ProcessorConfigError);
  });
});

test('live loop survives the server being killed and restarted mid-processing', TEST_TIMEOUT, async () => {
  await withEnv(async ({ server, session }, track) => {
    const { errors, onError } = collector();
    const p = track(live(session, { onError }));
    const seen: string[] = [];
    p.addGlobalHandler(async (e) => {
      // Slow enough that the kill lands while buffered events are still being handled.
      await delay(20);
      seen.push(e.job_id);
    });
    await p.start();

    for (let i = 0; i < 20; i++) await publish(session, JobEvents.enqueued(`before-${i}`, 'q'), `before-${i}`);
    await waitFor(() => seen.length >= 5, 'some events handled');
    const disconnected = nextDisconnect(session);
    await server.kill();
    const handledWhileDown = seen.length;
    await disconnected;
    await server.restart();

    // Publishing right after the restart may hit a client that has not reconnected yet: retry, deduplicated by id.
    for (let i = 0; i < 20; i++) await publishRetrying(session, JobEvents.enqueued(`after-${i}`, 'q'), `after-${i}`);
    // A sentinel published last: once it is handled, anything repeated would have come before it.
    await publish(session, JobEvents.enqueued('sentinel', 'q'), 'sentinel');
    await waitFor(() => seen.includes('sentinel'), 'all 40 events and the sentinel', 30_000);
    const expected = [...Array(20).keys()].map((i) => `before-${i}`).concat([...Array(20).keys()].map((i) => `after-${i}`), ['sentinel']);
    assert.deepEqual(seen, expected, 'every event once, in order');
    console.log(
      `live restart: ${handledWhileDown} handled at kill, stream errors: ${errors.filter((e) => e instanceof ProcessorStreamError).length}`,
      errors.map((e) => e.message),
    );
    await p.stop();
    assert.deepEqual(await consumerNames(session), []);
  });
});

test('live: closing the connection ends the loop with a final error; start() without a stream rejects', TEST_TIMEOUT, async () => {
  await withEnv(async ({ server, session }) => {
    const second = await openSession(server);
    const errors: ProcessorError[] = [];
    const p = live(second, { onError: (e) => errors.push(e) });
    await p.start();
    await second.close();
    await waitFor(() => !p.isRunning, 'the loop to give up');
    const last = errors.at(-1);
    assert.ok(last instanceof ProcessorStreamError, String(last));
    assert.equal(last.retryInMs, null);
    console.log('live closed:', last.message);
    await withTimeout(p.stop(), 1_000, 'stop after the loop ended');

    await session.jsm.streams.delete(STREAM);
    await assert.rejects(() => live(session).start(), /stream not found/);
    await assert.rejects(() => live(session, { consumerName: 'g' }).start(), /stream not found/);
  });
});

test('live: forced reconnects while events flow lose nothing and repeat nothing', TEST_TIMEOUT, async () => {
  await withEnv(async ({ server, session }, track) => {
    const consumerSide = await openSession(server);
    try {
      const p = track(live(consumerSide, { batchSize: 20 }));
      const seen: string[] = [];
      p.addGlobalHandler((e) => void seen.push(e.job_id));
      await p.start();
      const ids = [...Array(300).keys()].map((i) => `job-${i}`);
      const publishing = (async () => {
        for (const id of ids) {
          await publish(session, JobEvents.enqueued(id, 'q'));
          if (Number(id.slice(4)) % 25 === 0) await delay(5);
        }
      })();
      for (let i = 0; i < 3; i++) {
        // Each reconnect once more events have arrived, so that it lands while they flow.
        const mark = seen.length;
        await waitFor(() => seen.length > mark || seen.length >= ids.length, 'more events to arrive');
        await withTimeout(consumerSide.nc.reconnect(), 5_000, 'forced reconnect');
      }
      await withTimeout(publishing, 20_000, 'publishing');
      // A sentinel published last: once it is handled, anything repeated would have come before it.
      await publish(session, JobEvents.enqueued('sentinel', 'q'));
      await waitFor(() => seen.includes('sentinel'), 'all 300 events and the sentinel', 20_000);
      assert.deepEqual(seen, [...ids, 'sentinel']);
      await p.stop();
      assert.deepEqual(await consumerNames(session), []);
    } finally {
      await consumerSide.close();
    }
  });
});
