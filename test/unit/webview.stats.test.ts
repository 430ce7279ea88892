import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomes, percent, toBars } from '../../media/src/stats/bars';

test('bars are sorted, scaled to the largest, with shares', () => {
  const { bars, hidden, total } = toBars({ b: 5, a: 10, c: 5, zero: 0, bad: NaN });
  assert.equal(total, 20);
  assert.equal(hidden, 0);
  assert.deepEqual(bars.map((b) => [b.label, b.value, b.fraction, b.share]), [
    ['a', 10, 1, 0.5],
    ['b', 5, 0.5, 0.25],
    ['c', 5, 0.5, 0.25],
  ]);
  const limited = toBars({ a: 3, b: 2, c: 1 }, 2);
  assert.equal(limited.bars.length, 2);
  assert.equal(limited.hidden, 1);
  assert.deepEqual(toBars({}), { bars: [], hidden: 0, total: 0 });
});

test('outcomes and failure rate, never negative', () => {
  assert.deepEqual(outcomes({ jobsRunning: 2, jobsCompleted: 6, jobsFailed: 2 }), { completed: 6, failed: 2, other: 2, failureRate: 0.25 });
  assert.deepEqual(outcomes({ jobsRunning: 0, jobsCompleted: 3, jobsFailed: 0 }), { completed: 3, failed: 0, other: 0, failureRate: 0 });
  assert.equal(outcomes({ jobsRunning: 0, jobsCompleted: 0, jobsFailed: 0 }).failureRate, null);
  assert.equal(percent(0.25), '25%');
  assert.equal(percent(0.0123), '1.2%');
  assert.equal(percent(null), '—');
});
