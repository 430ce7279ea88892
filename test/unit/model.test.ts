import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobEventType, KNOWN_EVENT_TYPES, eventFamily, isKnownEventType } from '../../server/src/model/eventType';
import { JobEvents } from '../../server/src/model/factories';
import { SEED_FIELDS } from '../../server/src/model/event';

test('knows the seed types, the published extras and the worker lifecycle types', () => {
  for (const type of ['enqueued', 'ttl_extended', 'paused', 'resumed', 'schedule_cancelled', 'schedule_modified', 'scheduler_error', 'worker_heartbeat']) {
    assert.ok(isKnownEventType(type), type);
  }
  assert.equal(KNOWN_EVENT_TYPES.length, 35);
  assert.equal(eventFamily('something_new'), 'unknown');
});

test('factories write the seed messages', () => {
  assert.equal(JobEvents.enqueued('j', 'high', 1).message, "Job enqueued to 'high' with priority 1");
  assert.deepEqual(JobEvents.enqueued('j', 'high', 1).details, { priority: 1 });
  assert.equal(JobEvents.started('j', 'w', 'async').message, 'Job started on async worker w');
  assert.equal(JobEvents.completed('j', 'w', 1250.5).message, 'Job completed successfully in 1250.50ms');
  const failed = JobEvents.failed('j', 'w', { name: 'ValueError', message: 'bad' }, 10, 2);
  assert.equal(failed.message, 'Job failed after 10.00ms (retry 2)');
  assert.equal(failed.error_type, 'ValueError');
  assert.deepEqual(failed.details, { retry_count: 2 });
  assert.equal(JobEvents.workerLifecycle('w1', JobEventType.WORKER_IDLE).job_id, 'worker:w1');
});

test('a factory takes any other field, as the seed kwargs do', () => {
  const event = JobEvents.started('j', 'w', 'async', { queue_name: 'q', tags: { env: 'dev' }, memory_mb: 12 });
  assert.equal(event.queue_name, 'q');
  assert.deepEqual(event.tags, { env: 'dev' });
  assert.equal(Object.keys(event).length, SEED_FIELDS.length);
});
