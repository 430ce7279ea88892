import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvent, type JobEvent, type JobEventInit } from '../../server/src/model/event';
import { attemptLabel, buildRows, errorText, eventKey, groupAttempts, headlineError, isErrorEvent, spanMs, tracebackOf } from '../../media/src/timeline/attempts';

let t = 1000;
function ev(event_type: string, extra: Partial<JobEventInit> = {}): JobEvent {
  t += 1;
  return createEvent({ job_id: 'j', event_type, timestamp: t, ...extra });
}

test('no start event: no attempts, no headers', () => {
  const events = [ev('enqueued'), ev('scheduled')];
  const g = groupAttempts(events);
  assert.deepEqual(g, { preambleEnd: 2, attempts: [] });
  assert.deepEqual(buildRows(g, 2), [
    { kind: 'event', index: 0, attempt: 0 },
    { kind: 'event', index: 1, attempt: 0 },
  ]);
});

test('a failure with retries: attempts start at started / retry_started', () => {
  const events = [
    ev('enqueued', { queue_name: 'q' }),
    ev('started', { worker_id: 'w1', worker_type: 'async' }),
    ev('failed', { worker_id: 'w1', error_type: 'ValueError', error_message: 'bad', duration_ms: 12 }),
    ev('retry_scheduled'),
    ev('retry_started', { worker_id: 'w2' }),
    ev('failed', { worker_id: 'w2', error_type: 'KeyError', error_message: 'k' }),
    ev('retry_scheduled'),
    ev('retry_started', { worker_id: 'w1' }),
    ev('completed', { worker_id: 'w1', duration_ms: 30 }),
  ];
  const g = groupAttempts(events);
  assert.equal(g.preambleEnd, 1);
  assert.deepEqual(
    g.attempts.map((a) => [a.number, a.start, a.end, a.worker, a.outcome, a.durationMs, a.error?.type ?? null]),
    [
      [1, 1, 4, 'w1', 'failed', 12, 'ValueError'],
      [2, 4, 7, 'w2', 'failed', 1000, 'KeyError'],
      [3, 7, 9, 'w1', 'completed', 30, null],
    ],
  );
  assert.equal(attemptLabel(g.attempts[1]!, g.attempts.length), 'Attempt 2 of 3');
  const rows = buildRows(g, events.length);
  assert.deepEqual(
    rows.map((r) => (r.kind === 'event' ? r.index : r.kind === 'attempt' ? `A${r.attempt.number}/${r.of}` : 'pre')),
    ['pre', 0, 'A1/3', 1, 2, 3, 'A2/3', 4, 5, 6, 'A3/3', 7, 8],
  );
});

test('started right after retry_started continues the same attempt', () => {
  const events = [ev('started', { worker_id: 'w' }), ev('failed'), ev('retry_started', { worker_id: 'w' }), ev('started', { worker_id: 'w' }), ev('completed')];
  const g = groupAttempts(events);
  assert.equal(g.attempts.length, 2);
  assert.deepEqual([g.attempts[1]!.start, g.attempts[1]!.end, g.attempts[1]!.outcome], [2, 5, 'completed']);
  // On another worker it is a new attempt.
  const other = groupAttempts([ev('retry_started', { worker_id: 'a' }), ev('started', { worker_id: 'b' })]);
  assert.equal(other.attempts.length, 2);
});

test('outcomes: running, interrupted, timeout, cancelled; the first outcome decides', () => {
  const g = groupAttempts([
    ev('started'),
    ev('started'),
    ev('timeout', { duration_ms: 5 }),
    ev('started'),
    ev('cancelled'),
    ev('started'),
    ev('failed'),
    ev('max_retries_exceeded'),
    ev('started'),
    ev('worker_heartbeat'),
  ]);
  assert.deepEqual(g.attempts.map((a) => a.outcome), ['interrupted', 'timeout', 'cancelled', 'failed', 'running']);
  assert.equal(g.attempts[3]!.outcomeIndex, 6);
});

test('error helpers', () => {
  assert.equal(errorText(ev('failed', { error_type: 'E', error_message: 'm' })), 'E: m');
  assert.equal(errorText(ev('failed', { error_type: 'E' })), 'E');
  assert.equal(errorText(ev('failed', { error_message: 'm' })), 'm');
  assert.equal(errorText(ev('completed')), null);
  assert.ok(isErrorEvent(ev('timeout')));
  assert.ok(isErrorEvent(ev('worker_heartbeat', { error_message: 'x' })));
  assert.ok(!isErrorEvent(ev('completed')));
});

test('tracebacks from details.traceback, details.stack, or a list of lines', () => {
  assert.equal(tracebackOf(ev('failed', { details: { traceback: 'Traceback\n  line\nE: m\n' } })), 'Traceback\n  line\nE: m');
  assert.equal(tracebackOf(ev('failed', { details: { stack: 'Error: x\n    at f' } })), 'Error: x\n    at f');
  assert.equal(tracebackOf(ev('failed', { details: { traceback: ['Traceback\n', '  File "a"\n', 'E: m\n'] } })), 'Traceback\n  File "a"\nE: m');
  assert.equal(tracebackOf(ev('failed', { details: { traceback: 42 } })), null);
  assert.equal(tracebackOf(ev('failed', { details: { traceback: '   ' } })), null);
  assert.equal(tracebackOf(ev('failed')), null);
});

test('event keys and job span', () => {
  assert.equal(eventKey({ nats_sequence: 12 }, 3), 's12');
  assert.equal(eventKey({ nats_sequence: null }, 3), 'i3');
  assert.equal(spanMs([{ timestamp: 10 }, { timestamp: 12.5 }, { timestamp: 11 }]), 2500);
  assert.equal(spanMs([]), null);
  assert.equal(spanMs([{ timestamp: NaN }]), null);
});

test('grouping 10,000 events: 200 attempts, a row for each event and each attempt', () => {
  const events: JobEvent[] = [];
  for (let i = 0; i < 10_000; i++) events.push(ev(i % 50 === 0 ? (i === 0 ? 'started' : 'retry_started') : i % 50 === 49 ? 'failed' : 'worker_heartbeat'));
  const g = groupAttempts(events);
  const rows = buildRows(g, events.length);
  assert.equal(g.attempts.length, 200);
  assert.equal(rows.length, 10_200);
});

test('the last-error headline: the error itself, and what came of it', () => {
  const failed = ev('failed', { error_type: 'ConnectionError', error_message: 'down' });
  assert.deepEqual(headlineError([ev('started'), failed, ev('retry_scheduled'), ev('max_retries_exceeded')]), { final: 3, error: 1 });
  assert.deepEqual(headlineError([ev('started'), failed]), { final: 1, error: 1 });
  assert.deepEqual(headlineError([ev('started'), ev('timeout')]), { final: 1, error: -1 });
  assert.equal(headlineError([ev('started'), failed, ev('retry_started'), ev('completed')]), null);
  assert.equal(headlineError([ev('started')]), null);
  assert.equal(headlineError([]), null);
});
