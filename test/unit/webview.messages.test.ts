import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isTimelineViewState,
  parseWebviewMessage,
  StatsToExtension,
  TailToExtension,
  TimelineToExtension,
} from '../../client/src/webview/messages';

test('accepts the declared messages, exactly', () => {
  assert.deepEqual(parseWebviewMessage(TimelineToExtension, { type: 'ready', body: {} }), { ok: true, message: { type: 'ready', body: {} } });
  const copy = parseWebviewMessage(TimelineToExtension, { type: 'copyEvent', body: { index: 3, seq: null } });
  assert.ok(copy.ok);
  assert.ok(parseWebviewMessage(TimelineToExtension, { type: 'copyEvent', body: { index: 0, seq: 42 } }).ok);
  assert.ok(parseWebviewMessage(TimelineToExtension, { type: 'timeMode', body: { mode: 'utc' } }).ok);
  assert.ok(parseWebviewMessage(TailToExtension, { type: 'openTimeline', body: { jobId: 'job-1' } }).ok);
  assert.ok(parseWebviewMessage(StatsToExtension, { type: 'refresh', body: {} }).ok);
});

test('rejects anything else, saying why', () => {
  const bad: [unknown, RegExp][] = [
    [null, /not an object/],
    ['ready', /not an object/],
    [[1, 2], /not an object/],
    [{ type: 'ready' }, /envelope/],
    [{ type: 'ready', body: {}, extra: 1 }, /envelope/],
    [{ type: 'nope', body: {} }, /unknown message type "nope"/],
    [{ type: 'toString', body: {} }, /unknown message type/],
    [{ type: '__proto__', body: {} }, /unknown message type/],
    [{ type: 'ready', body: null }, /body is not an object/],
    [{ type: 'ready', body: { x: 1 } }, /unexpected field "x"/],
    [{ type: 'copyEvent', body: { index: -1, seq: null } }, /'index'/],
    [{ type: 'copyEvent', body: { index: 1.5, seq: null } }, /'index'/],
    [{ type: 'copyEvent', body: { index: '1', seq: null } }, /'index'/],
    [{ type: 'copyEvent', body: { index: 1 } }, /'seq'/],
    [{ type: 'timeMode', body: { mode: 'martian' } }, /'mode'/],
  ];
  for (const [raw, reason] of bad) {
    const result = parseWebviewMessage(TimelineToExtension, raw);
    assert.equal(result.ok, false, JSON.stringify(raw));
    if (!result.ok) assert.match(result.reason, reason, JSON.stringify(raw));
  }
});

test('a job id must be a non-empty bounded string', () => {
  for (const jobId of ['', 'x'.repeat(513), 7, null, { a: 1 }]) {
    assert.equal(parseWebviewMessage(TailToExtension, { type: 'openTimeline', body: { jobId } }).ok, false, String(jobId));
  }
  assert.ok(parseWebviewMessage(TailToExtension, { type: 'openTimeline', body: { jobId: 'worker:w-1' } }).ok);
});

test('a message built with a foreign prototype is not a plain object', () => {
  class Fake {
    type = 'ready';
    body = {};
  }
  assert.equal(parseWebviewMessage(TimelineToExtension, new Fake()).ok, false);
});

test('script errors are declared for every view (they are logged)', () => {
  for (const spec of [TimelineToExtension, TailToExtension, StatsToExtension]) {
    assert.ok(parseWebviewMessage(spec, { type: 'scriptError', body: { message: 'boom' } }).ok);
    assert.equal(parseWebviewMessage(spec, { type: 'scriptError', body: { message: 'x'.repeat(5000) } }).ok, false);
  }
});

test('timeline view state is checked before a serializer trusts it', () => {
  const good = { jobId: 'j', timeMode: 'relative', expanded: ['s1'], active: 0, anchorKey: null };
  assert.ok(isTimelineViewState(good));
  assert.equal(isTimelineViewState(undefined), false);
  assert.equal(isTimelineViewState({ ...good, jobId: '' }), false);
  assert.equal(isTimelineViewState({ ...good, timeMode: 'x' }), false);
  assert.equal(isTimelineViewState({ ...good, expanded: [1] }), false);
  assert.equal(isTimelineViewState({ ...good, active: -1 }), false);
});
