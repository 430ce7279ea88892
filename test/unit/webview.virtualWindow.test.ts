import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeightIndex, maxScrollTop, moveActive, revealScrollTop, visibleRange } from '../../media/src/lib/virtualWindow';

test('offsets and total follow heights, lazily recomputed after a change', () => {
  const index = new HeightIndex([10, 20, 30, 40]);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => index.offset(i)), [0, 10, 30, 60, 100]);
  assert.equal(index.total(), 100);
  assert.equal(index.set(1, 25), true);
  assert.equal(index.set(1, 25), false);
  assert.equal(index.offset(3), 65);
  assert.equal(index.total(), 105);
  // Bad measurements are ignored.
  assert.equal(index.set(0, 0), false);
  assert.equal(index.set(9, 10), false);
  assert.equal(index.set(2, NaN), false);
});

test('indexAt finds the row covering a pixel', () => {
  const index = new HeightIndex([10, 20, 30]);
  assert.equal(index.indexAt(-5), 0);
  assert.equal(index.indexAt(0), 0);
  assert.equal(index.indexAt(9.9), 0);
  assert.equal(index.indexAt(10), 1);
  assert.equal(index.indexAt(29), 1);
  assert.equal(index.indexAt(30), 2);
  assert.equal(index.indexAt(1000), 2);
  assert.equal(HeightIndex.uniform(0, 10).indexAt(0), -1);
});

test('the visible range covers the viewport plus overscan', () => {
  const index = HeightIndex.uniform(10_000, 20);
  assert.deepEqual(visibleRange(index, 0, 100, 0), { start: 0, end: 6 });
  assert.deepEqual(visibleRange(index, 1000, 100, 40), { start: 48, end: 58 });
  assert.deepEqual(visibleRange(index, 199_900, 100, 40), { start: 9993, end: 10_000 });
  assert.deepEqual(visibleRange(HeightIndex.uniform(0, 20), 0, 100, 40), { start: 0, end: 0 });
});

test('10,000 rows: a window is a few dozen rows and lookups stay cheap', () => {
  const heights = Array.from({ length: 10_000 }, (_, i) => (i % 23 === 0 ? 45 : 26));
  const index = new HeightIndex(heights);
  const started = process.hrtime.bigint();
  for (let k = 0; k < 10_000; k++) {
    index.set(k % 10_000, k % 2 ? 26 : 27);
    visibleRange(index, (k * 37) % index.total(), 800, 400);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const range = visibleRange(index, 50_000, 800, 400);
  assert.ok(range.end - range.start < 80, `${range.end - range.start} rows`);
  assert.ok(ms < 2000, `${ms} ms`);
});

test('reveal scrolls as little as needed', () => {
  const index = HeightIndex.uniform(100, 20);
  assert.equal(revealScrollTop(index, 5, 0, 200), 0); // in view
  assert.equal(revealScrollTop(index, 20, 0, 200), 220); // below: bottom-aligned
  assert.equal(revealScrollTop(index, 2, 100, 200), 40); // above: top-aligned
  const tall = new HeightIndex([20, 500, 20]);
  assert.equal(revealScrollTop(tall, 1, 0, 200), 20); // taller than the view: its top
  assert.equal(revealScrollTop(index, 500, 7, 200), 7);
  assert.equal(maxScrollTop(index, 200), 1800);
  assert.equal(maxScrollTop(HeightIndex.uniform(2, 20), 200), 0);
});

test('keys move the active row within bounds', () => {
  assert.equal(moveActive('ArrowDown', 0, 10, 5), 1);
  assert.equal(moveActive('ArrowDown', 9, 10, 5), 9);
  assert.equal(moveActive('ArrowUp', 0, 10, 5), 0);
  assert.equal(moveActive('PageDown', 0, 10, 5), 4);
  assert.equal(moveActive('PageUp', 9, 10, 5), 5);
  assert.equal(moveActive('Home', 7, 10, 5), 0);
  assert.equal(moveActive('End', 0, 10, 5), 9);
  assert.equal(moveActive('x', 0, 10, 5), null);
  assert.equal(moveActive('ArrowDown', 0, 0, 5), null);
});
