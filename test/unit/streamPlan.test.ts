import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscardPolicy, nanos, StorageType, StreamConfig } from 'nats';
import { desiredStreamConfig } from '../../server/src/storage/streamConfig';
import { checkApplicable, describePlan, formatBytes, formatDuration, planStream, StreamPlanRefused } from '../../server/src/storage/streamPlan';

const PREFIX = 'naq.jobs.events';
const MiB = 1024 * 1024;

function seed(overrides: Partial<StreamConfig> = {}): StreamConfig {
  return { ...desiredStreamConfig('S', PREFIX), ...overrides } as StreamConfig;
}

/** The operator's stream of issue 11: an extra subject, no age or count limits, 8 MiB messages, a 1 h window. */
const OPERATOR = seed({
  subjects: [`${PREFIX}.>`, 'audit.>'],
  max_age: 0,
  max_msgs: -1,
  max_bytes: -1,
  max_msg_size: 8 * MiB,
  duplicate_window: nanos(60 * 60 * 1000),
});

test('durations and sizes read as an operator writes them', () => {
  assert.equal(formatDuration(nanos(7 * 24 * 3600_000)), '7d');
  assert.equal(formatDuration(nanos(90 * 60_000)), '90m');
  assert.equal(formatDuration(nanos(250)), '250ms');
  assert.equal(formatDuration(0), 'none');
  assert.equal(formatDuration(0, 'unlimited'), 'unlimited');
  assert.equal(formatBytes(10 * 1024 * MiB), '10 GiB');
  assert.equal(formatBytes(8 * MiB), '8 MiB');
  assert.equal(formatBytes(1000), '1000 bytes');
  assert.equal(formatBytes(-1), 'unlimited');
});

test("a missing stream is created with the seed's configuration, nothing forced", () => {
  const plan = planStream(undefined, 'S', PREFIX);
  assert.equal(plan.action, 'create');
  assert.deepEqual(plan.config, desiredStreamConfig('S', PREFIX));
  assert.deepEqual(
    plan.changes.map((c) => [c.field, c.to]),
    [
      ['subjects', `${PREFIX}.>`],
      ['max_age', '7d'],
      ['max_msgs', '10000000'],
      ['max_bytes', '10 GiB'],
      ['max_msg_size', '1 MiB'],
      ['duplicate_window', '2m'],
      ['allow_direct', 'true'],
      ['discard', 'old'],
    ],
  );
  assert.doesNotThrow(() => checkApplicable(plan, false));
  assert.match(describePlan(plan)[0] ?? '', /does not exist; apply creates it/);
});

test("a stream with the seed's configuration has nothing to change", () => {
  const plan = planStream(seed(), 'S', PREFIX);
  assert.equal(plan.action, 'none');
  assert.deepEqual(plan.changes, []);
  assert.deepEqual(plan.config, {});
});

test("the operator's stream: every lowered limit needs --force, the extra subject stays", () => {
  const plan = planStream(OPERATOR, 'S', PREFIX);
  assert.equal(plan.action, 'update');
  assert.deepEqual(
    plan.changes.map((c) => [c.field, c.from, c.to, c.forceRule !== undefined]),
    [
      ['max_age', 'unlimited', '7d', true],
      ['max_msgs', 'unlimited', '10000000', true],
      ['max_bytes', 'unlimited', '10 GiB', true],
      ['max_msg_size', '8 MiB', '1 MiB', true],
      ['duplicate_window', '1h', '2m', true],
    ],
  );
  assert.equal(plan.config.subjects, undefined, 'the subjects are not sent: they stay as they are');
  assert.deepEqual(plan.kept, ['subjects audit.> are the operator\'s and stay']);
  assert.match(plan.changes[0]?.forceRule ?? '', /deletes every event older than 7d/);

  assert.throws(
    () => checkApplicable(plan, false),
    (error: unknown) => {
      assert.ok(error instanceof StreamPlanRefused);
      assert.match(error.message, /^stream S was not changed:/);
      for (const field of ['max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window']) assert.match(error.message, new RegExp(`${field} .* needs --force`));
      assert.equal(error.refused.length, 5);
      return true;
    },
  );
  assert.doesNotThrow(() => checkApplicable(plan, true));
});

test('raising tighter limits and turning direct get on is safe', () => {
  const tight = seed({ max_age: nanos(3600_000), max_msgs: 5000, max_bytes: MiB, max_msg_size: 1000, duplicate_window: nanos(30_000), allow_direct: false });
  const plan = planStream(tight, 'S', PREFIX);
  assert.deepEqual(
    plan.changes.map((c) => c.field),
    ['max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window', 'allow_direct'],
  );
  assert.ok(plan.changes.every((c) => c.forceRule === undefined));
  assert.equal(plan.config.max_msgs, 10_000_000);
  assert.equal(plan.config.allow_direct, true);
  assert.doesNotThrow(() => checkApplicable(plan, false));
});

test("NAQ's subjects are added next to the operator's; subjects under the prefix are absorbed, never dropped", () => {
  const added = planStream(seed({ subjects: ['audit.>'] }), 'S', PREFIX);
  assert.deepEqual(added.config.subjects, ['audit.>', `${PREFIX}.>`]);
  assert.equal(added.changes[0]?.forceRule, undefined);

  const absorbed = planStream(seed({ subjects: [`${PREFIX}.*`, 'audit.>', `${PREFIX}.x.>`] }), 'S', PREFIX);
  assert.deepEqual(absorbed.config.subjects, ['audit.>', `${PREFIX}.>`]);
  assert.match(absorbed.changes[0]?.to ?? '', /takes the place of naq\.jobs\.events\.\*, naq\.jobs\.events\.x\.>/);

  for (const covering of ['naq.>', '>', `${PREFIX}.>`]) assert.equal(planStream(seed({ subjects: [covering] }), 'S', PREFIX).config.subjects, undefined, covering);
});

test('a subject that overlaps the prefix without being under it is a conflict, even with --force', () => {
  const plan = planStream(seed({ subjects: ['*.jobs.events.x'] }), 'S', PREFIX);
  assert.equal(plan.action, 'update', 'a stream NAQ cannot use is not "nothing to change"');
  assert.equal(plan.config.subjects, undefined);
  assert.equal(describePlan(plan)[0], 'stream S: 0 changes, and 1 it cannot make');
  assert.match(plan.conflicts[0] ?? '', /naq\.jobs\.events\.> cannot be added next to \*\.jobs\.events\.x/);
  assert.throws(() => checkApplicable(plan, true), StreamPlanRefused);
  assert.match(describePlan(plan).join('\n'), /cannot apply: subjects/);
});

test('discard new to old needs --force; storage and retention are kept with why', () => {
  const plan = planStream(seed({ discard: DiscardPolicy.New, storage: StorageType.Memory }), 'S', PREFIX);
  assert.deepEqual(plan.changes.map((c) => [c.field, c.from, c.to]), [['discard', 'new', 'old']]);
  assert.match(plan.changes[0]?.forceRule ?? '', /deletes the oldest events when the stream is full/);
  assert.deepEqual(plan.kept, ["storage is memory, the seed's is file: a stream's storage cannot be changed in place"]);
});

test('the printed plan marks what needs --force', () => {
  const lines = describePlan(planStream(OPERATOR, 'S', PREFIX));
  assert.equal(lines[0], 'stream S: 5 changes');
  assert.match(lines[1] ?? '', /^ {2}max_age +unlimited → 7d {3}\[needs --force: shortening max_age/);
  assert.equal(lines.at(-1), "  kept: subjects audit.> are the operator's and stay");
});
