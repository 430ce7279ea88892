import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { encodeEvent } from '../../server/src/codec/encode';
import { FailureService } from '../../server/src/failures/failureService';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { JobIndex } from '../../server/src/index/jobIndex';
import { JobEvents } from '../../server/src/model/factories';
import type { JobEvent } from '../../server/src/model/event';
import { StreamHandlers } from '../../server/src/processor/streamHandlers';
import { subjectForEvent } from '../../server/src/subjects/subject';

const traceback = readFileSync(path.join(__dirname, '..', 'fixtures', 'tracebacks', 'plain.py.txt'), 'utf8');

/** The index applies each event, then the handlers get its message, as the backend's follow does. */
function follow(index: JobIndex, handlers: StreamHandlers, event: JobEvent, seq: number): void {
  index.apply(recordFromEvent({ ...event, nats_sequence: seq }));
  handlers.message(subjectForEvent('naq.jobs', event), seq, encodeEvent(event), event.timestamp);
}

test('a failed event is stored from the follow: with its details\' traceback and no lookup, or without one and looked up where NAQ keeps tracebacks', async () => {
  const index = new JobIndex();
  const handlers = new StreamHandlers((message) => assert.fail(message));
  // No session: any failure the store holds came from the follow, none from a lookup.
  const service = new FailureService({ index: () => index, session: () => undefined }, { filesChanged: () => undefined, callsChanged: () => undefined, log: (message) => assert.fail(message) });
  handlers.use(service.follower);
  follow(index, handlers, JobEvents.started('job-1', 'w1', 'python', { queue_name: 'billing' }), 1);
  follow(index, handlers, JobEvents.failed('job-1', 'w1', { name: 'ValueError', message: 'bad input', stack: traceback }, 5), 2);
  follow(index, handlers, JobEvents.failed('job-2', 'w1', { name: 'ValueError', message: 'no traceback' }, 5), 3);
  const found = service.store.get('job-1');
  assert.deepEqual([found?.seq, found?.origin, found?.queue, found?.type, found?.frames.length], [2, 'details', 'billing', 'ValueError', 3]);
  const without = service.store.get('job-2');
  assert.deepEqual([without?.seq, without?.origin, without?.type, without?.message, without?.frames.length], [3, undefined, 'ValueError', 'no traceback', 0]);
  service.indexChanged({ reset: false, jobs: ['job-1'] });
  assert.deepEqual(service.lookups, { inFlight: 0, waiting: 0 }, 'the index change found job-1 known');
  service.indexChanged({ reset: false, jobs: ['job-2'] });
  assert.deepEqual(service.lookups, { inFlight: 1, waiting: 0 });
  await service.settled();
  // Retried, it fails again without a traceback: its failure is looked up again.
  follow(index, handlers, JobEvents.failed('job-1', 'w1', { name: 'ValueError', message: 'again' }, 5, 1), 4);
  service.indexChanged({ reset: false, jobs: ['job-1'] });
  assert.deepEqual(service.lookups, { inFlight: 1, waiting: 0 });
  await service.close();
  await service.settled();
});
