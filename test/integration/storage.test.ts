import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nanos } from 'nats';
import { createEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { StreamItem } from '../../server/src/storage/liveStream';
import { NatsProxy } from '../support/natsProxy';
import { NatsServer } from '../support/natsServer';
import { openStorage, PREFIX, STREAM, within } from '../support/storageFixture';

let server: NatsServer;
let storage: EventStorage;

before(async () => {
  server = await NatsServer.start();
  storage = await openStorage(server);
});

after(async () => {
  await storage?.close();
  await server?.dispose();
});

async function assertNoConsumers(): Promise<void> {
  const consumers = await storage.session.jsm.consumers.list(STREAM).next();
  assert.deepEqual(consumers.map((c) => c.name), []);
}

async function nextItem(iterator: AsyncGenerator<StreamItem>): Promise<StreamItem> {
  const { value, done } = await within(5_000, iterator.next(), 'live stream');
  assert.equal(done, false);
  return value as StreamItem;
}

/** A promise resolved by a live stream's `onReady`. */
function readySignal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('creates the stream with the seed limits and direct get', async () => {
  const info = await storage.streamInfo();
  assert.deepEqual(info.config.subjects, [`${PREFIX}.>`]);
  assert.equal(info.config.storage, 'file');
  assert.equal(info.config.max_age, nanos(7 * 24 * 3600 * 1000));
  assert.equal(info.config.max_msgs, 10_000_000);
  assert.equal(info.config.max_bytes, 10 * 1024 ** 3);
  assert.equal(info.config.max_msg_size, 1024 * 1024);
  assert.equal(info.config.duplicate_window, nanos(120_000));
  assert.equal(info.config.allow_direct, true);
});

test("leaves an operator's stream as it is and says what its settings limit", async () => {
  const name = 'OPERATOR_LIMITED';
  await storage.session.jsm.streams.add({ name, subjects: ['ops.>'], max_msgs: 5, max_msg_size: 1000, allow_direct: false, duplicate_window: nanos(1_000) });
  const before = (await storage.session.jsm.streams.info(name)).config;
  const opened = await openStorage(server, { streamName: name });
  try {
    assert.equal(opened.session.stream?.action, 'existing');
    assert.deepEqual(
      opened.session.stream?.problems.map((p) => p.field),
      ['subjects', 'allow_direct', 'max_msg_size', 'duplicate_window'],
    );
    assert.deepEqual((await storage.session.jsm.streams.info(name)).config, before);
  } finally {
    await opened.close();
    await storage.session.jsm.streams.delete(name);
  }
});

test('the stream this project created has nothing to report', async () => {
  const again = await openStorage(server);
  try {
    assert.deepEqual(again.session.stream, { action: 'existing', problems: [] });
  } finally {
    await again.close();
  }
});

test('stores events with subject and sequence, in the payload too', async () => {
  const event = JobEvents.started('store-1', 'w1', 'async');
  const ref = await storage.store(event);
  assert.equal(ref.subject, `${PREFIX}.store-1.worker.w1.started`);
  assert.equal(event.nats_sequence, ref.seq);
  const read = await storage.getBySequence(ref.seq);
  assert.equal(read.nats_subject, ref.subject);
  assert.equal(read.event_type, 'started');
  const again = await storage.store(event, undefined, 'fixed-id');
  const duplicate = await storage.store(event, undefined, 'fixed-id');
  assert.equal(duplicate.duplicate, true);
  assert.equal(duplicate.seq, again.seq);
});

test('reads a job history in order, with limit and offset, leaving no consumer', async () => {
  const job = 'history-1';
  await storage.store(JobEvents.enqueued(job, 'high'));
  await storage.store(JobEvents.started(job, 'w1', 'async'));
  await storage.store(JobEvents.failed(job, 'w1', { name: 'ValueError', message: 'boom' }, 12, 0));
  await storage.store(JobEvents.retryScheduled(job, 1, 5), { kind: 'retry', retryCount: 1 });
  await storage.store(JobEvents.completed(job, 'w1', 30));
  await storage.store(JobEvents.started('history-10', 'w1', 'async'));
  const all = await storage.jobEvents(job);
  assert.deepEqual(all.events.map((e) => e.event_type), ['enqueued', 'started', 'failed', 'retry_scheduled', 'completed']);
  assert.ok(all.events.every((e, i, list) => i === 0 || (e.nats_sequence ?? 0) > (list[i - 1]?.nats_sequence ?? 0)));
  const page = await storage.jobEvents(job, { offset: 1, limit: 2 });
  assert.deepEqual(page.events.map((e) => e.event_type), ['started', 'failed']);
  assert.deepEqual((await storage.jobEvents('no-such-job')).events, []);
  await assertNoConsumers();
});

test('a connection timeout under a second still reads a history: the pull waits at least what nats.js allows', async () => {
  const quick = await openStorage(server, { timeoutMs: 500 });
  try {
    await quick.store(JobEvents.enqueued('quick-1', 'high'));
    await quick.store(JobEvents.completed('quick-1', 'w1', 3));
    assert.deepEqual((await quick.jobEvents('quick-1')).events.map((e) => e.event_type), ['enqueued', 'completed']);
  } finally {
    await quick.close();
  }
});

/** A second client, with a 1 s timeout, reaching the server through a proxy that can hold messages back. */
async function throughProxy(body: (reader: EventStorage, proxy: NatsProxy) => Promise<void>): Promise<void> {
  const proxy = await NatsProxy.start(server.port);
  const reader = await openStorage(server, { timeoutMs: 1_000, url: proxy.url });
  try {
    await body(reader, proxy);
  } finally {
    await reader.close();
    await proxy.dispose();
  }
}

test('a pull answered after the client gave up on it loses nothing: the read goes on after the last event received', () =>
  throughProxy(async (reader, proxy) => {
    const job = 'late-1';
    await storage.store(JobEvents.enqueued(job, 'high'));
    await storage.store(JobEvents.started(job, 'w1', 'async'));
    await storage.store(JobEvents.completed(job, 'w1', 3));
    // What the server delivers for the job reaches the client only once it deletes a consumer: a pull that ends
    // empty while its messages are on their way, as when the server's scan outlasts the pull.
    const held = proxy.holdMessages('to-client', `${PREFIX}.${job}.`, '$JS.API.CONSUMER.DELETE.');
    const history = await reader.jobEvents(job);
    assert.equal(await held.released, 3);
    assert.deepEqual(history.events.map((e) => e.event_type), ['enqueued', 'started', 'completed']);
    await assertNoConsumers();
  }));

test('a read whose consumer the server deleted goes on with a new one', () =>
  throughProxy(async (reader, proxy) => {
    const job = 'dropped-1';
    await storage.store(JobEvents.enqueued(job, 'high'));
    await storage.store(JobEvents.completed(job, 'w1', 3));
    // Deleted as the server deletes one it finds inactive after a long scan: while its deliveries are on their way.
    const held = proxy.holdMessages('to-client', `${PREFIX}.${job}.`, '$JS.API.CONSUMER.DELETE.');
    const history = reader.jobEvents(job);
    await held.first;
    const [consumer] = await storage.session.jsm.consumers.list(STREAM).next();
    assert.ok(consumer, 'the read has a consumer');
    await storage.session.jsm.consumers.delete(STREAM, consumer.name);
    assert.deepEqual((await history).events.map((e) => e.event_type), ['enqueued', 'completed']);
    assert.equal(await held.released, 2);
    await assertNoConsumers();
  }));

test('finds events by type in every subject shape', async () => {
  const failed = (job: string) => JobEvents.failed(job, 'wt', { name: 'E', message: 'm' }, 1);
  await storage.store(failed('type-a'));
  await storage.store(createEvent({ job_id: 'type-b', event_type: 'failed' }));
  await storage.store(createEvent({ job_id: 'type-c', event_type: 'failed' }), { kind: 'lifecycle' });
  await storage.store(createEvent({ job_id: 'type-d', event_type: 'failed', queue_name: 'q' }));
  await storage.store(createEvent({ job_id: 'type-e', event_type: 'failed' }), { kind: 'schedule', scheduleName: 'nightly' });
  const { events } = await storage.eventsByType('failed');
  const jobs = events.map((e) => e.job_id).filter((j) => j.startsWith('type-'));
  assert.deepEqual(jobs, ['type-a', 'type-b', 'type-c', 'type-d', 'type-e']);
  const page = await storage.eventsByType('failed', { offset: 1, limit: 2 });
  assert.equal(page.events.length, 2);
  assert.equal(page.events[0]?.nats_sequence, events[1]?.nats_sequence);
  await assertNoConsumers();
});

test('lists with filters and counts from stream state', async () => {
  const start = Date.now() / 1000;
  await storage.store(JobEvents.enqueued('list-1', 'emails'));
  await storage.store(JobEvents.started('list-1', 'wl', 'async', { queue_name: 'emails' }));
  await storage.store(JobEvents.completed('list-1', 'wl', 5, { queue_name: 'emails' }));
  await storage.store(JobEvents.enqueued('list-2', 'reports'));
  await storage.store(JobEvents.started('list-2', 'wl', 'async', { queue_name: 'reports' }));
  const byWorker = await storage.list({ workerId: 'wl' });
  assert.deepEqual(byWorker.events.map((e) => `${e.job_id}:${e.event_type}`), ['list-1:started', 'list-1:completed', 'list-2:started']);
  const byQueue = await storage.list({ queueName: 'emails' });
  assert.equal(byQueue.events.length, 3);
  const severalTypes = await storage.list({ jobId: 'list-1', types: ['enqueued', 'completed'] });
  assert.deepEqual(severalTypes.events.map((e) => e.event_type), ['enqueued', 'completed']);
  const timed = await storage.list({ since: start - 1, until: Date.now() / 1000 + 1, workerId: 'wl' });
  assert.equal(timed.events.length, 3);
  assert.equal((await storage.list({ until: start - 3600 })).events.length, 0);
  assert.equal(await storage.count({ jobId: 'list-1' }), 3);
  assert.equal(await storage.count({ workerId: 'wl' }), 3);
  assert.equal(await storage.count({ types: ['enqueued'], jobId: 'list-2' }), 1);
  assert.equal(await storage.count({ queueName: 'emails' }), 3);
  assert.equal(await storage.count(), (await storage.streamInfo()).state.messages);
  await assertNoConsumers();
});

test('deletes one job by purging its subjects and returns how many', async () => {
  await storage.store(JobEvents.enqueued('purge-me', 'q'));
  await storage.store(JobEvents.started('purge-me', 'w', 'async'));
  await storage.store(JobEvents.enqueued('purge-me-not', 'q'));
  assert.equal(await storage.deleteJobEvents('purge-me'), 2);
  assert.equal((await storage.jobEvents('purge-me')).events.length, 0);
  assert.equal((await storage.jobEvents('purge-me-not')).events.length, 1);
});

test('streams live events with job and type filters, then removes its consumer', async () => {
  const controller = new AbortController();
  const ready = readySignal();
  const live = storage.stream({ jobId: 'live-1', types: ['failed'], signal: controller.signal, onReady: ready.resolve });
  const first = nextItem(live);
  await within(5_000, ready.promise, 'live stream ready');
  await storage.store(JobEvents.started('live-1', 'w', 'async'));
  await storage.store(JobEvents.failed('live-2', 'w', { name: 'E', message: 'other job' }, 1));
  await storage.store(JobEvents.failed('live-1', 'w', { name: 'E', message: 'this one' }, 1));
  const item = await first;
  assert.equal(item.kind, 'event');
  assert.equal(item.kind === 'event' && item.event.error_message, 'this one');
  controller.abort();
  assert.equal((await within(5_000, live.next())).done, true);
  await assertNoConsumers();
});

test('a live stream on a deleted stream settles at once instead of hanging', async () => {
  const controller = new AbortController();
  await storage.session.jsm.streams.delete(STREAM);
  try {
    const live = storage.stream({ signal: controller.signal });
    const pending = live.next().then(
      () => 'ended',
      (error: Error) => error.message,
    );
    assert.match(await within(5_000, pending, 'live stream on a deleted stream'), /stream not found/);
  } finally {
    controller.abort();
    await storage.close();
    storage = await openStorage(server);
  }
});

test('streams from a sequence, from the start and from a time', async () => {
  const a = await storage.store(JobEvents.enqueued('from-1', 'q'));
  await storage.store(JobEvents.enqueued('from-2', 'q'));
  const fromSeq = storage.stream({ start: { from: 'sequence', seq: a.seq } });
  const item = await nextItem(fromSeq);
  assert.equal(item.kind === 'event' && item.event.job_id, 'from-1');
  await fromSeq.return(undefined);
  const fromStart = storage.stream({ start: { from: 'all' } });
  const first = await nextItem(fromStart);
  assert.equal(first.kind === 'event' && first.event.nats_sequence, 1);
  await fromStart.return(undefined);
  const fromTime = storage.stream({ start: { from: 'time', time: new Date(Date.now() - 60_000) } });
  const early = await nextItem(fromTime);
  assert.equal(early.kind, 'event');
  await fromTime.return(undefined);
  await assertNoConsumers();
});

test('a malformed payload is reported with its sequence and subject, and the stream goes on', async () => {
  const controller = new AbortController();
  const ready = readySignal();
  const live = storage.stream({ signal: controller.signal, onReady: ready.resolve });
  const first = nextItem(live);
  await within(5_000, ready.promise, 'live stream ready');
  const bad = await storage.session.js.publish(`${PREFIX}.bad-1.failed`, Uint8Array.of(0xc1, 0x00));
  await storage.store(JobEvents.enqueued('after-bad', 'q'));
  const item = await first;
  assert.equal(item.kind, 'error');
  assert.equal(item.kind === 'error' && item.error.seq, bad.seq);
  assert.equal(item.kind === 'error' && item.error.subject, `${PREFIX}.bad-1.failed`);
  const next = await nextItem(live);
  assert.equal(next.kind === 'event' && next.event.job_id, 'after-bad');
  controller.abort();
  await live.return(undefined);
  const history = await storage.jobEvents('bad-1');
  assert.equal(history.events.length, 0);
  assert.equal(history.errors[0]?.seq, bad.seq);
});

test('reports health with server version, account, stream state and consumers', async () => {
  const health = await storage.health();
  assert.equal(health.status, 'healthy');
  assert.match(health.server.version, /^2\./);
  assert.equal(health.stream.name, STREAM);
  assert.equal(typeof health.stream.consumerCount, 'number');
  assert.ok(health.stream.messages > 0);
  assert.ok(health.jetstream.streams >= 1);
  assert.deepEqual(health.consumers, []);
});
