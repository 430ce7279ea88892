import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PayloadSlab } from '../../server/src/logger/payloadSlab';

test('payloads taken one after another share a chunk without overlapping, and a full chunk starts a new one', () => {
  const slab = new PayloadSlab(1024);
  const taken = Array.from({ length: 20 }, (_, i) => {
    const bytes = slab.take(100);
    bytes.fill(i + 1);
    return bytes;
  });
  taken.forEach((bytes, i) => assert.ok(bytes.every((b) => b === i + 1), `payload ${i} was overwritten by a later one`));
  assert.equal(taken[0]?.buffer, taken[9]?.buffer, 'ten payloads of 100 bytes fit one 1024-byte chunk');
  assert.notEqual(taken[9]?.buffer, taken[10]?.buffer, 'the eleventh starts a new chunk');
  assert.ok(taken.every((bytes) => bytes.length === 100));
});

test('a payload larger than an eighth of a chunk gets a buffer of its own', () => {
  const slab = new PayloadSlab(1024);
  const small = slab.take(10);
  const large = slab.take(200);
  assert.notEqual(large.buffer, small.buffer);
  assert.equal(large.byteLength, large.buffer.byteLength);
  assert.equal(slab.take(10).buffer, small.buffer, 'the chunk goes on being filled after a large payload');
});
