import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nanos, StreamConfig } from 'nats';
import { assessStream, coversPrefix, desiredStreamConfig } from '../../server/src/storage/streamConfig';

const PREFIX = 'naq.jobs.events';

test('a subject filter covers the prefix only when it takes every subject under it', () => {
  for (const filter of [`${PREFIX}.>`, 'naq.>', '>', 'naq.*.events.>', '*.jobs.*.>']) assert.equal(coversPrefix(filter, PREFIX), true, filter);
  for (const filter of [`${PREFIX}.*`, `${PREFIX}`, 'naq.jobs.events.x.>', 'audit.>', 'naq.jobs', `${PREFIX}.*.>`]) assert.equal(coversPrefix(filter, PREFIX), false, filter);
});

test("the seed's own configuration has nothing to report", () => {
  assert.deepEqual(assessStream(desiredStreamConfig('S', PREFIX) as StreamConfig, PREFIX), []);
});

test("an operator's larger limits and extra subjects are no problem", () => {
  const config = { ...desiredStreamConfig('S', PREFIX), subjects: [`${PREFIX}.>`, 'audit.>'], max_age: 0, max_msgs: -1, max_bytes: -1, max_msg_size: -1 };
  assert.deepEqual(assessStream(config as StreamConfig, PREFIX), []);
});

test('each setting that cannot serve is named once, with what degrades', () => {
  const config = { ...desiredStreamConfig('S', PREFIX), subjects: ['ops.>'], allow_direct: false, max_msg_size: 1000, duplicate_window: nanos(0) };
  const problems = assessStream(config as StreamConfig, PREFIX);
  assert.deepEqual(problems.map((p) => p.field), ['subjects', 'allow_direct', 'max_msg_size', 'duplicate_window']);
  assert.match(problems[1]?.degrades ?? '', /consumer instead of a direct get/);
  assert.match(problems[3]?.degrades ?? '', /verifies by message id/);
});
