import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvent } from '../../server/src/model/event';
import { TailBuffer, eventLine } from '../../client/src/tail/tailBuffer';
import type { TailLine } from '../../client/src/webview/messages';
import { TailModel, filterLines, lineText, parseFilter } from '../../media/src/tail/tailModel';

function lines(from: number, count: number, extra: Partial<TailLine> = {}): TailLine[] {
  return Array.from({ length: count }, (_, i) => ({
    n: from + i,
    kind: 'event' as const,
    time: 1000 + i,
    seq: from + i,
    type: 'started',
    failure: false,
    jobId: `job-${from + i}`,
    worker: 'w1',
    queue: 'q',
    error: null,
    message: null,
    ...extra,
  }));
}

test('the buffer numbers lines, marks skips, and keeps the last cap lines', () => {
  const buffer = new TailBuffer(5);
  const events = [1, 2, 3].map((seq) => createEvent({ job_id: `j${seq}`, event_type: 'failed', error_type: 'E', error_message: 'm', nats_sequence: seq, timestamp: 10 + seq }));
  const added = buffer.add({ events, problems: [{ seq: 9, subject: 's', message: 'bad' }], skipped: 4 }, 99);
  assert.deepEqual(added.map((l) => [l.n, l.kind]), [[1, 'skipped'], [2, 'problem'], [3, 'event'], [4, 'event'], [5, 'event']]);
  assert.equal(added[0]!.message, '4 events skipped by the rate limit');
  assert.equal(added[2]!.error, 'E: m');
  assert.equal(added[2]!.failure, true);
  assert.equal(buffer.skipped, 4);
  buffer.add({ events: events.slice(0, 2), problems: [], skipped: 1 }, 100);
  assert.equal(buffer.all.length, 5);
  assert.deepEqual(buffer.all.map((l) => l.n), [4, 5, 6, 7, 8]);
  assert.equal(buffer.skipped, 5);
  buffer.clear();
  assert.equal(buffer.all.length, 0);
  assert.equal(buffer.add({ events: events.slice(0, 1), problems: [], skipped: 0 }, 1)[0]!.n, 9);
  buffer.reset();
  assert.equal(buffer.skipped, 0);
});

test('an event line is flat, clipped and tolerant of odd fields', () => {
  const long = 'x'.repeat(2000);
  const line = eventLine(createEvent({ job_id: 'j', event_type: 'completed', message: long, worker_id: 'w', queue_name: 'q', nats_sequence: 5, timestamp: 1 }), 7);
  assert.equal(line.message!.length, 501);
  assert.deepEqual([line.n, line.seq, line.jobId, line.worker, line.queue, line.failure, line.error], [7, 5, 'j', 'w', 'q', false, null]);
  const odd = eventLine({ ...createEvent({ job_id: 'j', event_type: 'x' }), timestamp: NaN, error_type: 5 as unknown as string }, 1);
  assert.equal(odd.time, null);
  assert.equal(odd.error, null);
});

test('the model caps, pauses with a pending count, resumes and clears', () => {
  const model = new TailModel(10);
  assert.equal(model.append(lines(1, 8)), true);
  model.pause();
  assert.equal(model.pausedAt, 8);
  assert.equal(model.append(lines(9, 5)), false);
  assert.equal(model.lines.length, 8);
  assert.equal(model.pendingCount, 5);
  model.append(lines(14, 10)); // pending overflows the cap: the oldest pending are dropped and counted
  assert.equal(model.pendingCount, 15);
  model.resume();
  assert.equal(model.isPaused, false);
  assert.deepEqual(model.lines.map((l) => l.n), [14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
  assert.equal(model.pendingCount, 0);
  model.clear();
  assert.equal(model.lines.length, 0);
});

test('reset restores a pause from saved state', () => {
  const model = new TailModel(100);
  model.reset(lines(1, 20), 12);
  assert.equal(model.isPaused, true);
  assert.equal(model.lines.length, 12);
  assert.equal(model.pendingCount, 8);
  model.reset(lines(1, 20), null);
  assert.equal(model.lines.length, 20);
});

test('the filter: all words, -excluded words, case-insensitive, over every column', () => {
  assert.deepEqual(parseFilter('  Failed  -worker-2 q '), { include: ['failed', 'q'], exclude: ['worker-2'] });
  assert.deepEqual(parseFilter('-'), { include: ['-'], exclude: [] });
  const all = [
    ...lines(1, 1, { type: 'failed', error: 'ValueError: Bad', worker: 'worker-1' }),
    ...lines(2, 1, { type: 'failed', error: 'KeyError', worker: 'worker-2' }),
    ...lines(3, 1, { type: 'completed', worker: 'worker-2' }),
  ];
  assert.match(lineText(all[0]!), /failed job-1 worker-1 q valueerror: bad #1/);
  assert.deepEqual(filterLines(all, parseFilter('failed')).map((l) => l.n), [1, 2]);
  assert.deepEqual(filterLines(all, parseFilter('FAILED -worker-2')).map((l) => l.n), [1]);
  assert.deepEqual(filterLines(all, parseFilter('#3')).map((l) => l.n), [3]);
  assert.equal(filterLines(all, parseFilter('')), all);
});
