import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Indexer } from '../../server/src/index/indexer';
import { JobEvents } from '../../server/src/model/factories';
import type { StoredMessage, StreamHandler } from '../../server/src/processor/streamHandlers';
import type { NatsSession } from '../../server/src/storage/session';
import { NatsServer } from '../support/natsServer';
import { openSession, publish, waitFor } from '../support/processorFixture';
import { PREFIX, STREAM } from '../support/storageFixture';

let server: NatsServer;
let session: NatsSession;

before(async () => {
  server = await NatsServer.start();
  session = await openSession(server);
});

after(async () => {
  await session?.close();
  await server?.dispose();
});

/** A handler that writes down what it is told, in `calls` shared by all of them: the order shows. */
function recorder(name: string, calls: string[], removedSeen: number[][], seqs: number[]): StreamHandler {
  return {
    name,
    onMessage: (message: StoredMessage) => {
      calls.push(`${name}:${message.seq}`);
      const event = message.event();
      seqs.push(message.seq);
      if (!(event instanceof Error)) assert.equal(event.nats_sequence ?? message.seq, message.seq);
    },
    onRemoved: (gone) => removedSeen.push(seqs.filter(gone)),
    onReset: () => calls.push(`${name}:reset`),
  };
}

test('handlers follow the stream in order after the index, and one that throws stops neither the others nor the index', async () => {
  const logs: string[] = [];
  const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: (m) => logs.push(m) }, { reconcileMs: 100 });
  const calls: string[] = [];
  const removedA: number[][] = [];
  const seqsA: number[] = [];
  const seqsC: number[] = [];
  indexer.handlers.use(recorder('a', calls, removedA, seqsA));
  indexer.handlers.use({
    name: 'broken',
    onMessage: (message) => {
      calls.push(`broken:${message.seq}`);
      throw new Error(`cannot take ${message.seq}`);
    },
    onRemoved: () => {
      throw new Error('cannot forget');
    },
  });
  indexer.handlers.use(recorder('c', calls, [], seqsC));
  try {
    const first = await publish(session, JobEvents.enqueued('h-1', 'q'));
    await session.js.publish(`${PREFIX}.global.started`, new Uint8Array([0x80]));
    await session.js.publish(`${PREFIX}.h-2.failed`, new TextEncoder().encode('plain text'));
    const last = await publish(session, JobEvents.started('h-1', 'w', 'async'));
    await indexer.start();
    await waitFor(() => seqsC.includes(last), 'the last message reaching the last handler');
    assert.deepEqual(seqsA, [first, first + 1, first + 2, last], 'every message of the event space, job or not, once, in stream order');
    assert.deepEqual(seqsC, seqsA);
    assert.deepEqual(
      calls.slice(0, 3),
      [`a:${first}`, `broken:${first}`, `c:${first}`],
      'in the order they were added',
    );
    assert.equal(indexer.index.get('h-1')?.status, 'running', 'the index took every event');
    assert.equal(logs.filter((l) => l.includes('handler broken failed on message')).length, 1, `one log line, not one per message: ${logs.join(' | ')}`);

    await session.jsm.streams.purge(STREAM, { filter: `${PREFIX}.h-1.>` });
    await waitFor(() => [first, last].every((seq) => removedA.some((gone) => gone.includes(seq))), 'the purge reaching the handlers');
    assert.equal(indexer.index.get('h-1'), undefined);
    assert.ok(logs.some((l) => l.includes('handler broken failed on removed messages')));

    await session.jsm.streams.delete(STREAM);
    await session.jsm.streams.add({ name: STREAM, subjects: [`${PREFIX}.>`] });
    await publish(session, JobEvents.enqueued('h-3', 'q'));
    await waitFor(() => calls.includes('a:reset') && calls.includes('c:reset'), 'the reset reaching the handlers');
    assert.ok(calls.indexOf('a:reset') < calls.indexOf('c:reset'));
  } finally {
    await indexer.stop();
  }
});

test('stop() while a stream check finds the stream recreated leaves no follower behind', async () => {
  const indexer = new Indexer(session, { progress: () => undefined, changed: () => undefined, log: () => undefined });
  await publish(session, JobEvents.enqueued('r-1', 'q'));
  await indexer.start();
  await session.jsm.streams.delete(STREAM);
  await session.jsm.streams.add({ name: STREAM, subjects: [`${PREFIX}.>`] });
  // The check is under way (waiting for the stream's state) when stop() begins: it must not follow the new stream.
  const checking = indexer.reconcile();
  await indexer.stop();
  await checking;
  const consumers = await session.jsm.consumers.list(STREAM).next();
  assert.deepEqual(consumers.map((c) => c.name), [], 'a follower started after stop() keeps its consumer, and the process alive');
});
