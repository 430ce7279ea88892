import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from 'nats';
import { encodeEvent } from '../../server/src/codec/encode';
import { FailureService, MAX_LOOKUPS } from '../../server/src/failures/failureService';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { JobIndex } from '../../server/src/index/jobIndex';
import { JobEvents } from '../../server/src/model/factories';
import type { JobEvent } from '../../server/src/model/event';
import { StreamHandlers } from '../../server/src/processor/streamHandlers';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { subjectForEvent } from '../../server/src/subjects/subject';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';

/** More failed jobs than lookups may run at once, as a build or a restored snapshot names them: all in one reset. */
const FAILED = MAX_LOOKUPS * 3 + 5;
let server: NatsServer;
let storage: EventStorage;
const index = new JobIndex();
/** The stored events and their sequences, for a follow to hand to its handlers. */
const stored: { event: JobEvent; seq: number }[] = [];

before(async () => {
  server = await NatsServer.start();
  storage = await openStorage(server);
  for (let i = 0; i < FAILED + 10; i++) {
    const jobId = `job-${i}`;
    // Ten jobs complete: a reset must not look them up, only the failed ones.
    const event = i < FAILED ? JobEvents.failed(jobId, 'w1', { name: 'ValueError', message: `bad input ${i}` }, 5) : JobEvents.completed(jobId, 'w1', 5);
    const { seq } = await storage.store(event);
    index.apply(recordFromEvent({ ...event, nats_sequence: seq }));
    stored.push({ event, seq });
  }
});

after(async () => {
  await storage?.close();
  await server?.stop();
});

test('a reset naming every failed job runs their lookups a bounded number at a time, and finds them all', async () => {
  const logs: string[] = [];
  const service = new FailureService({ index: () => index, session: () => storage.session }, { filesChanged: () => undefined, callsChanged: () => undefined, log: (message) => logs.push(message) });
  service.indexChanged({ reset: true, jobs: [] });
  assert.deepEqual(service.lookups, { inFlight: MAX_LOOKUPS, waiting: FAILED - MAX_LOOKUPS });
  await service.settled();
  assert.deepEqual(service.lookups, { inFlight: 0, waiting: 0 });
  assert.deepEqual(logs, [`failures: the index's reset named ${FAILED} failed jobs; ${FAILED} lookups placed those the store did not hold`]);
  assert.equal(service.store.size, FAILED);
  assert.equal(service.store.get('job-7')?.message, 'bad input 7');
  assert.equal(service.store.get(`job-${FAILED}`), undefined);
  await service.close();
});

test('failures the follow stored from their events are not read back by the reset\'s lookups', async () => {
  // Every read of a stored message, as the server gets the request: direct gets and the stream API's message get.
  const watcher = await connect({ servers: server.url, timeout: 10_000 });
  let reads = 0;
  const requests = [watcher.subscribe('$JS.API.DIRECT.GET.>', { callback: () => reads++ }), watcher.subscribe('$JS.API.STREAM.MSG.GET.>', { callback: () => reads++ })];
  await watcher.flush();
  const logs: string[] = [];
  const service = new FailureService({ index: () => index, session: () => storage.session }, { filesChanged: () => undefined, callsChanged: () => undefined, log: (message) => logs.push(message) });
  const handlers = new StreamHandlers((message) => assert.fail(message));
  handlers.use(service.follower);
  for (const { event, seq } of stored) handlers.message(subjectForEvent(storage.prefix, event), seq, encodeEvent(event), event.timestamp);
  assert.equal(service.store.size, FAILED, 'each failed event stored as the follow handed it over');
  service.indexChanged({ reset: true, jobs: [] });
  await service.settled();
  assert.deepEqual(logs, [`failures: the index's reset named ${FAILED} failed jobs; ${FAILED} lookups placed those the store did not hold`]);
  assert.equal(service.store.get('job-7')?.message, 'bad input 7');
  // The lookups asked the server something (the result bucket, the failed-jobs stream): a read-back would have come before.
  await watcher.flush();
  assert.equal(reads, 0, 'no stored event read back');
  await service.close();
  for (const subscription of requests) subscription.unsubscribe();
  await watcher.close();
});
