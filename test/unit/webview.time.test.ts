import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatClock, formatDuration, formatEventTime, formatGap, formatOffset, spansDays } from '../../media/src/lib/time';

// 2024-05-29T16:26:40.123Z
const T = Date.UTC(2024, 4, 29, 16, 26, 40, 123) / 1000;

test('clock times, UTC and local', () => {
  assert.equal(formatClock(T, true), '16:26:40.123');
  assert.equal(formatClock(T, true, true), '2024-05-29 16:26:40.123');
  const d = new Date(T * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  assert.equal(formatClock(T, false), `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`);
  assert.equal(formatClock(NaN, true), '—');
  assert.equal(formatClock(Infinity, false), '—');
});

test('float seconds round to the millisecond', () => {
  assert.equal(formatClock(1_700_000_000.9996, true), '22:13:21.000');
});

test('offsets from the first event', () => {
  assert.equal(formatOffset(0), '+0.000s');
  assert.equal(formatOffset(12.3456), '+12.346s');
  assert.equal(formatOffset(123.456), '+2m 03.456s');
  assert.equal(formatOffset(3723.5), '+1h 02m 03.500s');
  assert.equal(formatOffset(2 * 86400 + 3 * 3600 + 4 * 60), '+2d 03h 04m');
  assert.equal(formatOffset(-1.5), '\u22121.500s');
});

test('durations and gaps', () => {
  assert.equal(formatDuration(0), '0 ms');
  assert.equal(formatDuration(0.44), '0.4 ms');
  assert.equal(formatDuration(12.4), '12 ms');
  assert.equal(formatDuration(1234.5), '1.23 s');
  assert.equal(formatDuration(12_345), '12.3 s');
  assert.equal(formatDuration(123_000), '2m 03s');
  assert.equal(formatDuration(3_725_000), '1h 02m');
  assert.equal(formatDuration(90_000_000), '1d 01h');
  assert.equal(formatGap(0.013), '+13 ms');
  assert.equal(formatGap(-0.013), '\u221213 ms');
  assert.equal(formatGap(NaN), '');
});

test('event time by mode', () => {
  assert.equal(formatEventTime(T + 1.5, { mode: 'relative', origin: T, withDate: false }), '+1.500s');
  assert.equal(formatEventTime(T, { mode: 'utc', origin: T, withDate: false }), '16:26:40.123Z');
  assert.equal(formatEventTime(T, { mode: 'utc', origin: T, withDate: true }), '2024-05-29 16:26:40.123Z');
  assert.equal(formatEventTime(T, { mode: 'local', origin: T, withDate: false }), formatClock(T, false));
});

test('dates are shown when events span days', () => {
  assert.equal(spansDays(T, T + 60, true), false);
  assert.equal(spansDays(T, T + 86400, true), true);
  assert.equal(spansDays(NaN, T, true), false);
});
