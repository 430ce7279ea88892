import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedJobs, mergeChanges } from '../../client/src/views/changedJobs';
import type { JobSummary } from '../../server/src/index/jobSummary';
import { timelinePage } from '../../server/src/backend/timelinePage';
import { wireEvent, wireJob, wireQueue, wireStats, wireWorker } from '../../server/src/backend/toWire';
import { createEvent } from '../../server/src/model/event';
import * as protocol from '../../server/src/protocol/protocol';

/** Every message namespace of the protocol: an object with a `method` and the `type` built from it. */
function messages(): { name: string; method: string; typeMethod: string }[] {
  return Object.entries(protocol).flatMap(([name, value]) => {
    if (typeof value !== 'object' || value === null || !('type' in value)) return [];
    const { method, type } = value as { method: unknown; type: { method: string } };
    return [{ name, method: String(method), typeMethod: type.method }];
  });
}

test('every message is an area/verb method, declared once, and its type uses it', () => {
  const all = messages();
  assert.ok(all.length >= 16, `found ${all.length} messages`);
  for (const m of all) {
    assert.match(m.method, /^[a-z]+\/[a-z][A-Za-z]*$/, `${m.name}: ${m.method} is not area/verb`);
    assert.equal(m.typeMethod, m.method, m.name);
  }
  const methods = all.map((m) => m.method);
  assert.deepEqual(
    methods.filter((m, i) => methods.indexOf(m) !== i),
    [],
    'methods used twice',
  );
  assert.equal(protocol.StateRequest.method, 'connection/getState');
  assert.equal(protocol.ConnectionStateNotification.method, 'connection/state');
});

const summary: JobSummary & { internalOnly: string } = {
  jobId: 'j-1',
  status: 'failed',
  queue: 'q',
  worker: 'w',
  firstTime: 1,
  lastTime: 2,
  attempts: 1,
  lastError: { type: 'ValueError', message: 'bad', eventType: 'failed', seq: 7 },
  lastEventType: 'failed',
  lastMessage: null,
  eventCount: 3,
  sequences: [5, 6, 7],
  internalOnly: 'never on the wire',
};

test('a job goes on the wire with the protocol fields only, whatever the index adds', () => {
  assert.deepEqual(Object.keys(wireJob(summary)).sort(), [
    'attempts',
    'eventCount',
    'firstTime',
    'jobId',
    'lastError',
    'lastEventType',
    'lastMessage',
    'lastTime',
    'queue',
    'status',
    'worker',
  ]);
  assert.deepEqual(Object.keys(wireJob(summary).lastError ?? {}).sort(), ['eventType', 'message', 'seq', 'type']);
});

test('events, queues, workers and stats are copied field by field', () => {
  const event = { ...createEvent({ job_id: 'j', event_type: 'started' }), extra: 1 };
  assert.deepEqual(Object.keys(wireEvent(event)), Object.keys(createEvent({ job_id: 'j', event_type: 'started' })));
  assert.deepEqual(wireQueue({ name: 'q', counts: { failed: 1 }, total: 1, extra: 2 } as never), { name: 'q', counts: { failed: 1 }, total: 1 });
  assert.deepEqual(wireWorker({ name: 'w', counts: {}, total: 0, lastState: null, lastSeen: 3, extra: 1 } as never), {
    id: 'w',
    counts: {},
    total: 0,
    lastState: null,
    lastSeen: 3,
  });
  const stats = { jobsStarted: 1, jobsRunning: 1, jobsCompleted: 0, jobsFailed: 0, totalDurationMs: 0, averageDurationMs: null, workerUsage: { w: 1 }, queueUsage: {}, eventsSeen: 2 };
  const wire = wireStats({ ...stats, extra: 9 } as never);
  assert.deepEqual(wire, stats);
  assert.notEqual(wire.workerUsage, stats.workerUsage, 'a copy, not the index’s own object');
});

test('a timeline page is the newest limit within the bounds, and counts what is older', () => {
  const seqs = [2, 4, 6, 8, 10, 12];
  assert.deepEqual(timelinePage(seqs, {}), { sequences: seqs, olderCount: 0 });
  assert.deepEqual(timelinePage(seqs, { limit: 2 }), { sequences: [10, 12], olderCount: 4 });
  assert.deepEqual(timelinePage(seqs, { limit: 2, beforeSeq: 10 }), { sequences: [6, 8], olderCount: 2 });
  assert.deepEqual(timelinePage(seqs, { limit: 2, beforeSeq: 9 }), { sequences: [6, 8], olderCount: 2 });
  assert.deepEqual(timelinePage(seqs, { afterSeq: 8 }), { sequences: [10, 12], olderCount: 4 });
  assert.deepEqual(timelinePage(seqs, { afterSeq: 9, limit: 1 }), { sequences: [12], olderCount: 5 });
  assert.deepEqual(timelinePage(seqs, { afterSeq: 12 }), { sequences: [], olderCount: 6 });
  assert.deepEqual(timelinePage(seqs, { afterSeq: 6, beforeSeq: 6 }), { sequences: [], olderCount: 3 });
  assert.deepEqual(timelinePage(seqs, { beforeSeq: 1 }), { sequences: [], olderCount: 0 });
  assert.deepEqual(timelinePage([], { limit: 5 }), { sequences: [], olderCount: 0 });
});

test('the views take changed jobs from the notification: an id without an item was removed', () => {
  const item = wireJob(summary);
  const change = { reset: false, queues: [], workers: [], jobs: ['j-1', 'gone'], items: [item], failed: [] };
  const changed = changedJobs(change);
  assert.equal(changed.complete, true);
  assert.deepEqual([...changed.jobs], [
    ['j-1', item],
    ['gone', null],
  ]);
  const many = { ...change, jobs: Array.from({ length: protocol.MAX_CHANGED_ITEMS + 1 }, (_, i) => `j${i}`), items: [] };
  assert.equal(changedJobs(many).complete, false);
});

test('changes that come close together are applied as one: the later item wins, a later removal too', () => {
  const item = wireJob(summary);
  const newer = { ...item, status: 'failed' as const };
  const first = { reset: false, queues: ['q1'], workers: ['w1'], jobs: ['j-1', 'j-2'], items: [item, { ...item, jobId: 'j-2' }], failed: [] };
  const failed = { jobId: 'j-1', error: null };
  const second = { reset: false, queues: ['q1', 'q2'], workers: [], jobs: ['j-1', 'j-2'], items: [newer], failed: [failed] };
  const merged = mergeChanges(first, second);
  assert.deepEqual(merged, { reset: false, queues: ['q1', 'q2'], workers: ['w1'], jobs: ['j-1', 'j-2'], items: [newer], failed: [failed] });
  assert.deepEqual([...changedJobs(merged).jobs], [
    ['j-1', newer],
    ['j-2', null],
  ]);
  assert.equal(mergeChanges(first, { ...second, reset: true }).reset, true);
  const many = { ...second, jobs: Array.from({ length: protocol.MAX_CHANGED_ITEMS }, (_, i) => `k${i}`), items: [] };
  const over = mergeChanges(first, many);
  assert.deepEqual([over.jobs.length, over.items, changedJobs(over).complete], [protocol.MAX_CHANGED_ITEMS + 2, [], false]);
});
