import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTail, isTailParams, TailLifecycle, tailKey } from '../../client/src/tail/tailLifecycle';
import type { TailLine, TailStatus } from '../../client/src/webview/messages';
import { dayStarts } from '../../media/src/tail/tailDays';
import { tailHeader } from '../../media/src/tail/tailHeader';
import { checkTailPattern, TailBackfillError, TailPatternError, tailStart } from '../../server/src/backend/tailSession';
import { tailPatternProblem } from '../../server/src/subjects/tailPattern';

const PREFIX = 'naq.jobs.events';

test('lifecycle: live, reconnecting on any lost connection, resubscribe when it is back, stopped stays stopped', () => {
  const tail = new TailLifecycle();
  tail.starting('connected', '');
  assert.equal(tail.state, 'starting');
  assert.equal(tail.connection('connected', 'index progress'), false, 'a connected state while starting is no reason to subscribe twice');
  tail.started(41, false);
  assert.equal(tail.state, 'live');
  for (const phase of ['connecting', 'disconnected', 'degraded', 'no-server'] as const) {
    assert.equal(tail.connection(phase, `lost: ${phase}`), false);
    assert.equal(tail.state, 'reconnecting');
    assert.equal(tail.reason, `lost: ${phase}`);
  }
  assert.equal(tail.connection('connected', 'back'), true);
  tail.starting('connected', '');
  tail.started(50, true);
  tail.stopped();
  assert.equal(tail.connection('disconnected', 'gone'), false);
  assert.equal(tail.state, 'stopped');
  assert.equal(tail.connection('connected', 'back'), false, 'a tail the user stopped does not come back by itself');
});

test('lifecycle: resumes right after the last event shown, and drops the overlap', () => {
  const tail = new TailLifecycle();
  const params = { pattern: `${PREFIX}.>` };
  assert.deepEqual(tail.resumeParams(params), params, 'nothing shown or pinned yet: as first asked');
  tail.starting('connected', '');
  tail.started(10, false);
  assert.deepEqual(tail.resumeParams(params), { ...params, backfill: { afterSeq: 10 } }, 'no event yet: after where it went live');
  assert.equal(tail.admit(11), true);
  assert.equal(tail.admit(12), true);
  assert.equal(tail.admit(12), false);
  assert.equal(tail.admit(9), false);
  assert.equal(tail.admit(null), true, 'an event without a sequence cannot be a repeat');
  assert.deepEqual(tail.resumeParams(params), { ...params, backfill: { afterSeq: 12 } });
  tail.reset();
  assert.deepEqual(tail.resumeParams(params), params);
});

test('lifecycle: a backfilled start does not move the resume point past the history still to come', () => {
  const tail = new TailLifecycle();
  tail.starting('connected', '');
  tail.started(100, true);
  assert.equal(tail.admit(3), true, 'history before the live point is shown');
  assert.deepEqual(tail.resumeParams({ backfill: { all: true } }), { backfill: { afterSeq: 3 } });
});

test('lifecycle: a start while not connected waits for the connection; a refused start stops with the reason', () => {
  const waiting = new TailLifecycle();
  waiting.starting('disconnected', 'NATS is down');
  assert.equal(waiting.state, 'reconnecting');
  assert.equal(waiting.reason, 'NATS is down');
  assert.equal(waiting.connection('connected', ''), true);

  const refused = new TailLifecycle();
  refused.starting('connected', '');
  refused.failed('Could not start the tail: bad', 'connected');
  assert.deepEqual([refused.state, refused.reason], ['stopped', 'Could not start the tail: bad']);
  refused.starting('connected', '');
  refused.failed('not connected', 'disconnected');
  assert.equal(refused.state, 'reconnecting');
});

test('labels: the failures-only tail says so; keys tell tails apart', () => {
  assert.equal(describeTail({}), 'failures only (every failure, whatever its subject)');
  assert.equal(describeTail({ pattern: `${PREFIX}.>` }), `${PREFIX}.>`);
  assert.equal(describeTail({ pattern: `${PREFIX}.j1.>`, backfill: { all: true } }), `${PREFIX}.j1.>, with its history`);
  assert.equal(describeTail({ types: ['failed', 'retry'] }), 'types failed, retry');
  assert.notEqual(describeTail({}), describeTail({ pattern: `${PREFIX}.>` }));
  assert.equal(tailKey({ types: ['b', 'a'] }), tailKey({ types: ['a', 'b'], backfill: { all: true } }));
  assert.notEqual(tailKey({}), tailKey({ pattern: `${PREFIX}.>` }));
});

test('restored params are checked', () => {
  assert.equal(isTailParams({ pattern: 'a.>', backfill: { all: true } }), true);
  assert.equal(isTailParams({}), true);
  assert.equal(isTailParams(null), false);
  assert.equal(isTailParams({ pattern: 5 }), false);
  assert.equal(isTailParams({ types: ['x', 3] }), false);
  assert.equal(isTailParams({ backfill: { afterSeq: 1.5 } }), false);
  assert.equal(isTailParams({ pattern: 'x'.repeat(1001) }), false);
});

test('header: says live, paused (with new lines), starting, reconnecting with the reason, stopped with the reason', () => {
  const status = (state: TailStatus['state'], reason: string | null = null): TailStatus => ({ state, pattern: 'p.>', params: { pattern: 'p.>' }, skipped: 0, reason });
  assert.deepEqual(tailHeader(status('live'), false, 0), { text: 'Live: p.>', icon: 'circle-filled', spin: false, tone: 'running', note: null });
  assert.equal(tailHeader(status('live'), true, 0).text, 'Paused: p.>');
  assert.equal(tailHeader(status('live'), true, 1200).text, `Paused: p.> (${(1200).toLocaleString()} new)`);
  assert.equal(tailHeader(status('starting'), false, 0).text, 'Starting: p.>');
  const reconnecting = tailHeader(status('reconnecting', 'Lost the connection to nats://x; reconnecting…'), true, 0);
  assert.equal(reconnecting.text, 'Reconnecting: p.>', 'reconnecting wins over paused: no event arrives either way');
  assert.equal(reconnecting.note?.kind, 'warning');
  assert.match(reconnecting.note?.text ?? '', /Lost the connection to nats:\/\/x/);
  assert.deepEqual(tailHeader(status('stopped', 'Could not start the tail: boom'), false, 0).note, { kind: 'error', text: 'Could not start the tail: boom' });
  assert.equal(tailHeader(status('stopped'), false, 0).note, null);
  for (const state of ['starting', 'reconnecting', 'stopped'] as const) assert.doesNotMatch(tailHeader(status(state), false, 0).text, /^Live/);
});

test('pattern: inside the stream or refused with the rule, the same in the input box and in the backend', () => {
  assert.equal(tailPatternProblem(PREFIX, `${PREFIX}.>`), undefined);
  assert.equal(tailPatternProblem(PREFIX, `${PREFIX}.*.failed`), undefined);
  assert.equal(tailPatternProblem(PREFIX, '>'), undefined, 'a wider pattern still covers the stream');
  assert.match(tailPatternProblem(PREFIX, 'foo.bar') ?? '', /outside the stream's subjects naq\.jobs\.events\.>/);
  assert.match(tailPatternProblem(PREFIX, 'naq.jobs') ?? '', /outside the stream's subjects/);
  assert.match(tailPatternProblem(PREFIX, `${PREFIX}..x`) ?? '', /empty token.*character 17/);
  assert.throws(() => checkTailPattern(PREFIX, 'foo.bar'), (error: unknown) => error instanceof TailPatternError && /"foo\.bar": outside/.test(error.message));
  assert.equal(checkTailPattern(PREFIX, `${PREFIX}.j.>`), `${PREFIX}.j.>`);
});

test('backfill: where a tail starts, and bad backfill named by field and rule', () => {
  assert.deepEqual(tailStart(undefined, 41), { from: 'sequence', seq: 42 });
  assert.deepEqual(tailStart({}, 41), { from: 'sequence', seq: 42 });
  assert.deepEqual(tailStart({ all: true }, 41), { from: 'all' });
  assert.deepEqual(tailStart({ all: false }, 41), { from: 'sequence', seq: 42 });
  assert.deepEqual(tailStart({ since: 1_700_000_000.5 }, 41), { from: 'time', time: new Date(1_700_000_000_500) });
  assert.deepEqual(tailStart({ afterSeq: 30 }, 41), { from: 'sequence', seq: 31 });
  assert.deepEqual(tailStart({ afterSeq: 90 }, 41), { from: 'sequence', seq: 42 }, 'a stream recreated meanwhile: from its end, not never');
  const refused = (backfill: unknown, rule: RegExp) => assert.throws(() => tailStart(backfill as never, 1), (e: unknown) => e instanceof TailBackfillError && rule.test(e.message));
  refused({ since: -1 }, /^backfill\.since: must be a time in seconds since the epoch/);
  refused({ since: Number.NaN }, /^backfill\.since/);
  refused({ afterSeq: 1.5 }, /^backfill\.afterSeq: must be a stream sequence/);
  refused({ all: 'yes' }, /^backfill\.all: must be true or false/);
  refused({ since: 1, afterSeq: 2 }, /^backfill: give one of all, since, afterSeq, not since and afterSeq/);
  refused('all', /^backfill: must be an object/);
});

test('days: the first line and each line on a new day show their date', () => {
  const day = 86_400;
  const line = (n: number, time: number | null): TailLine => ({ n, kind: 'event', time, seq: n, type: 'started', failure: false, jobId: 'j', worker: null, queue: null, error: null, message: null });
  const lines = [line(1, 10 * day + 5), line(2, 10 * day + 600), line(3, null), line(4, 11 * day + 1), line(5, 11 * day + 2), line(6, 10 * day + 9)];
  assert.deepEqual([...dayStarts(lines, true)], [1, 4, 6]);
  assert.deepEqual([...dayStarts([], true)], []);
});
