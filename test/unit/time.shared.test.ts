import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTime } from '../../client/src/util/format';
import { formatClock as webviewClock } from '../../media/src/lib/time';
import { eventLine } from '../../server/src/model/eventLine';
import { createEvent } from '../../server/src/model/event';
import { formatClock, isoTime } from '../../server/src/shared/time';

test('isoTime: UTC with milliseconds, and a readable stand-in for a timestamp no date can hold', () => {
  assert.equal(isoTime(1_714_564_800.25), '2024-05-01T12:00:00.250Z');
  assert.equal(isoTime(Number.NaN), '@NaN');
  assert.equal(isoTime(1e20), '@100000000000000000000');
});

test('formatClock: UTC or local, with or without the date, rounded to the millisecond', () => {
  assert.equal(formatClock(1_714_564_800.2506, true), '12:00:00.251');
  assert.equal(formatClock(1_714_564_800, true, true), '2024-05-01 12:00:00.000');
  assert.equal(formatClock(Number.POSITIVE_INFINITY, true), '—');
  const local = new Date(1_714_564_800_000);
  const expected = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
  assert.ok(formatClock(1_714_564_800, false, true).startsWith(expected));
});

test('one formatter behind the editor, the webviews and the CLI line', () => {
  assert.equal(formatTime(1_714_564_800.5), formatClock(1_714_564_800.5, false, true));
  assert.equal(webviewClock, formatClock);
  const line = eventLine(createEvent({ job_id: 'j', event_type: 'started', timestamp: 1_714_564_800 }));
  assert.ok(line.startsWith(isoTime(1_714_564_800)));
});
