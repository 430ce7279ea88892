import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvent, type JobEvent } from '../../server/src/model/event';
import { TimelineWindow, type TimelinePage } from '../../client/src/timeline/paging';

const ev = (seq: number | null): JobEvent => createEvent({ job_id: 'j', event_type: 'started', nats_sequence: seq, timestamp: seq ?? 0 });
const page = (seqs: (number | null)[], olderCount?: number, problems: TimelinePage['problems'] = []): TimelinePage => ({
  jobId: 'j',
  job: null,
  events: seqs.map(ev),
  problems,
  source: 'index',
  olderCount: olderCount ?? 0,
});

test('a window holds the newest page and knows where the older and newer reads start', () => {
  const w = new TimelineWindow('j');
  assert.equal(w.loaded, false);
  w.replace(page([10, 11, 12], 9));
  assert.deepEqual([w.loaded, w.firstSeq, w.lastSeq, w.olderCount], [true, 10, 12, 9]);
  // A backend without paging: the whole timeline, nothing older.
  w.replace(page([1, 2]));
  assert.deepEqual([w.firstSeq, w.lastSeq, w.olderCount], [null, 2, 0]);
});

test('newer events append; what the reader already holds is never added twice', () => {
  const w = new TimelineWindow('j');
  w.replace(page([1, 2, 3]));
  // A backend that ignores afterSeq answers with everything: only what is after 3 is taken.
  const added = w.appendNewer(page([1, 2, 3, 4, 5], undefined, [{ seq: 4, subject: 's', message: 'bad' }]), 3);
  assert.deepEqual(added.map((e) => e.nats_sequence), [4, 5]);
  assert.deepEqual(w.events.map((e) => e.nats_sequence), [1, 2, 3, 4, 5]);
  w.appendNewer(page([], undefined, [{ seq: 4, subject: 's', message: 'bad' }]), 5);
  assert.equal(w.timeline().problems.length, 1);
});

test('older pages go in front until nothing is older', () => {
  const w = new TimelineWindow('j');
  w.replace(page([5, 6], 4));
  assert.deepEqual(w.prependOlder(page([3, 4], 2), 5).map((e) => e.nats_sequence), [3, 4]);
  assert.deepEqual([w.firstSeq, w.olderCount], [3, 2]);
  w.prependOlder(page([1, 2], 0), 3);
  assert.deepEqual([w.firstSeq, w.olderCount, w.events.length], [null, 0, 6]);
});

test('a newest event without a sequence makes the next read whole', () => {
  const w = new TimelineWindow('j');
  w.replace(page([1, null]));
  assert.equal(w.lastSeq, null);
});
