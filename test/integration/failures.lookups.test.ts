import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FailureService, MAX_LOOKUPS } from '../../server/src/failures/failureService';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { JobIndex } from '../../server/src/index/jobIndex';
import { JobEvents } from '../../server/src/model/factories';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';

/** More failed jobs than lookups may run at once, as a build or a restored snapshot names them: all in one reset. */
const FAILED = MAX_LOOKUPS * 3 + 5;
let server: NatsServer;
let storage: EventStorage;
const index = new JobIndex();

before(async () => {
  server = await NatsServer.start();
  storage = await openStorage(server);
  for (let i = 0; i < FAILED + 10; i++) {
    const jobId = `job-${i}`;
    // Ten jobs complete: a reset must not look them up, only the failed ones.
    const event = i < FAILED ? JobEvents.failed(jobId, 'w1', { name: 'ValueError', message: `bad input ${i}` }, 5) : JobEvents.completed(jobId, 'w1', 5);
    const { seq } = await storage.store(event);
    index.apply(recordFromEvent({ ...event, nats_sequence: seq }));
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
