import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserReads } from '../../server/src/storage/userReads';

test('background readers wait while a user read is in flight, and go on once none is', async () => {
  const reads = new UserReads();
  const order: string[] = [];
  let finish!: () => void;
  const user = reads.run(() => new Promise<void>((resolve) => (finish = resolve)).then(() => order.push('user done')));
  const background = reads.idle().then(() => order.push('background goes'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, [], 'a background reader went while the user read was in flight');
  finish();
  await Promise.all([user, background]);
  assert.deepEqual(order, ['user done', 'background goes']);
  await reads.idle();
});

test('a user read that fails still lets background readers go', async () => {
  const reads = new UserReads();
  await assert.rejects(reads.run(() => Promise.reject(new Error('gone'))), /gone/);
  await reads.idle();
});
