import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FailedJobsStream } from '../../server/src/failures/failedJobsStream';
import { FailureStore } from '../../server/src/failures/failureStore';
import { PathMapper } from '../../server/src/failures/pathMapper';
import { parseTraceback } from '../../server/src/failures/traceback';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';

const text = readFileSync(path.join(__dirname, '..', 'fixtures', 'tracebacks', 'plain.py.txt'), 'utf8');
const JOBS = ['job-a', 'job-b', 'job-c'];
let server: NatsServer;
let storage: EventStorage;

before(async () => {
  server = await NatsServer.start();
  storage = await openStorage(server);
  await storage.session.jsm.streams.add({ name: 'naq_failed_jobs', subjects: ['naq.failed.*'] });
  // One code path, one job each, as NAQ's worker publishes them: each entry carries its own copy of the traceback.
  for (const jobId of JOBS) {
    await storage.session.js.publish('naq.failed.billing', JSON.stringify({ job_id: jobId, function_str: 'handle', args_repr: `('${jobId}',)`, kwargs_repr: '{}', queue_name: 'billing', error: 'x', traceback: text }));
  }
});

after(async () => {
  await storage?.close();
  await server?.stop();
});

test('failed-jobs entries keep their frames as the store keeps a details failure\'s: one shared list per code path, released on close', async () => {
  const store = new FailureStore(new PathMapper([]));
  const stream = new FailedJobsStream(storage.session, store, { written: () => undefined, called: () => undefined, log: (message) => assert.fail(message) });
  const entries = await Promise.all(JOBS.map((jobId) => stream.entry(jobId)));
  const frames = entries.map((entry) => entry?.traceback?.raised.frames);
  assert.equal(frames[0]?.length, 3);
  assert.ok(frames.every((list) => list === frames[0]), 'one frame list for the three entries');
  assert.deepEqual(store.shared, { shapes: 1, names: 1 }, 'one code path and one type name held, for three entries');
  assert.deepEqual(entries.map((entry) => entry?.call?.args), ["('job-a',)", "('job-b',)", "('job-c',)"]);
  // A failure of the same code path found in an event's details shares the same list.
  store.put({ jobId: 'job-d', seq: 9, time: 9, queue: 'billing', worker: 'w1', errorType: 'str', errorMessage: 'bad', traceback: parseTraceback(text), origin: 'details' });
  assert.equal(store.get('job-d')?.frames, frames[0]);
  await stream.close();
  store.remove('job-d');
  assert.deepEqual(store.shared, { shapes: 0, names: 0 }, 'closed, the stream holds nothing in the store');
});
