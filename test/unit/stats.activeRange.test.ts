import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkParams } from '../../server/src/backend/requestRules';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { JobIndex } from '../../server/src/index/jobIndex';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';

/** Jobs spanning 100–102, 200–260 and 300–301 (epoch seconds), stored in that order. */
function index(): JobIndex {
  const events: JobEvent[] = [
    JobEvents.enqueued('early', 'mail', 0, { timestamp: 100 }),
    JobEvents.completed('early', 'w1', 5, { timestamp: 102 }),
    JobEvents.enqueued('long', 'mail', 0, { timestamp: 200 }),
    JobEvents.enqueued('late', 'mail', 0, { timestamp: 300 }),
    JobEvents.completed('late', 'w1', 5, { timestamp: 301 }),
    JobEvents.completed('long', 'w1', 60, { timestamp: 260 }),
  ];
  const jobs = new JobIndex();
  events.forEach((event, i) => jobs.apply(recordFromEvent({ ...event, nats_sequence: i + 1 })));
  return jobs;
}

const ids = (page: { items: { jobId: string }[] }): string[] => page.items.map((job) => job.jobId).sort();

test('jobs/list activeFrom/activeTo keeps the jobs whose first-to-last span overlaps the range', () => {
  const jobs = index();
  const all = { offset: 0, limit: 10 };
  assert.deepEqual(ids(jobs.listJobs(all)), ['early', 'late', 'long']);
  // Overlap, not containment: `long` (200–260) is active inside 230–240.
  assert.deepEqual(ids(jobs.listJobs({ ...all, activeFrom: 230, activeTo: 240 })), ['long']);
  // `from` inclusive (102 is early's last event), `to` exclusive (300 is late's first event).
  assert.deepEqual(ids(jobs.listJobs({ ...all, activeFrom: 102, activeTo: 300 })), ['early', 'long']);
  assert.deepEqual(ids(jobs.listJobs({ ...all, activeFrom: 261 })), ['late']);
  assert.deepEqual(ids(jobs.listJobs({ ...all, activeTo: 100 })), []);
  const page = jobs.listJobs({ offset: 0, limit: 1, activeFrom: 0, activeTo: 1000, queue: 'mail' });
  assert.equal(page.total, 3);
  assert.equal(page.items.length, 1);
});

test('jobs/list refuses an activeFrom/activeTo that is not epoch seconds, naming the field', () => {
  assert.deepEqual(checkParams('jobs/list', { offset: 0, limit: 5, activeFrom: 10, activeTo: 20 }), { offset: 0, limit: 5, activeFrom: 10, activeTo: 20 });
  assert.throws(() => checkParams('jobs/list', { offset: 0, limit: 5, activeFrom: 'yesterday' }), /activeFrom.*epoch seconds/);
  assert.throws(() => checkParams('jobs/list', { offset: 0, limit: 5, activeTo: -1 }), /activeTo.*epoch seconds/);
});
