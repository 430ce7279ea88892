import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callParts, REPR_PREVIEW } from '../../media/src/timeline/call';

test('a short call keeps its reprs whole and leaves out an empty or absent one', () => {
  const parts = callParts({ function: 'shop.charge', args: '(42,)', kwargs: null });
  assert.deepEqual(parts, [{ label: 'args', full: '(42,)', preview: '(42,)', truncated: false }]);
  assert.deepEqual(callParts({ function: 'f', args: '', kwargs: '' }), []);
});

test('a long repr is cut to the preview length with an ellipsis, the full text kept for "Show all"', () => {
  const long = `{'payload': '${'x'.repeat(REPR_PREVIEW * 2)}'}`;
  const [kwargs] = callParts({ function: 'f', args: null, kwargs: long });
  assert.ok(kwargs);
  assert.equal(kwargs.label, 'kwargs');
  assert.equal(kwargs.truncated, true);
  assert.equal(kwargs.full, long);
  assert.equal(kwargs.preview, `${long.slice(0, REPR_PREVIEW)}…`);
});

test('a repr exactly at the limit is not cut; markup in a repr stays text for the renderer', () => {
  const exact = 'a'.repeat(10);
  assert.equal(callParts({ function: 'f', args: exact, kwargs: null }, 10)[0]?.truncated, false);
  const markup = "('<img src=x onerror=alert(1)>',)";
  assert.equal(callParts({ function: 'f', args: markup, kwargs: null })[0]?.preview, markup);
});
