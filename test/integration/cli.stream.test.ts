import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { nanos, StreamConfig } from 'nats';
import { NatsSession } from '../../server/src/storage/session';
import { desiredStreamConfig } from '../../server/src/storage/streamConfig';
import { readStream } from '../../server/src/storage/streamPlanApply';
import { NatsServer } from '../support/natsServer';
import { PREFIX, STREAM } from '../support/storageFixture';
import { CLI, runCli, type CliResult } from '../support/cliProcess';

const MiB = 1024 * 1024;

let server: NatsServer;
let admin: NatsSession;
let operatorConfig: StreamConfig;

async function config(name: string): Promise<StreamConfig | undefined> {
  return (await readStream(admin.jsm, name))?.config;
}

/** An operator's stream: an extra subject, no age, count or size limit, 8 MiB messages, a 1 h duplicate window. */
before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  server = await NatsServer.start();
  admin = await NatsSession.open({ connection: { servers: server.url }, streamName: STREAM, subjectPrefix: PREFIX, timeoutMs: 5_000, createStream: false });
  await admin.jsm.streams.add({
    name: STREAM,
    subjects: [`${PREFIX}.>`, 'audit.>'],
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
    max_msg_size: 8 * MiB,
    duplicate_window: nanos(60 * 60 * 1000),
    allow_direct: true,
  });
  operatorConfig = (await config(STREAM)) as StreamConfig;
});

after(async () => {
  await admin?.close();
  await server?.dispose();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(server.url, args);
}

async function assertUnchanged(after: string): Promise<void> {
  assert.deepEqual(await config(STREAM), operatorConfig, `the stream's configuration changed after ${after}`);
}

test("stream show prints the operator's configuration and state and changes nothing", async () => {
  const text = await cli('stream', 'show');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^stream NAQ_JOB_EVENTS$/m);
  assert.match(text.stdout, /^ {2}subjects +naq\.jobs\.events\.>, audit\.>$/m);
  assert.match(text.stdout, /^ {2}max_age +unlimited$/m);
  assert.match(text.stdout, /^ {2}max_msg_size +8 MiB$/m);
  assert.match(text.stdout, /^ {2}duplicate_window +1h$/m);
  assert.match(text.stdout, /^state: 0 messages, 0 bytes/m);
  assert.match(text.stdout, /NAQ can use it fully/);
  await assertUnchanged('stream show');

  const json = await cli('stream', 'show', '--json');
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as { exists: boolean; config: StreamConfig; problems: unknown[] };
  assert.equal(shown.exists, true);
  assert.deepEqual(shown.config, operatorConfig);
  assert.deepEqual(shown.problems, []);
  await assertUnchanged('stream show --json');
});

test('stream apply --dry-run prints what would change, marks what needs --force, and changes nothing', async () => {
  const result = await cli('stream', 'apply', '--dry-run');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^stream NAQ_JOB_EVENTS: 5 changes$/m);
  assert.match(result.stdout, /max_age +unlimited → 7d +\[needs --force: shortening max_age deletes every event older than 7d at once\]/);
  assert.match(result.stdout, /max_msg_size +8 MiB → 1 MiB +\[needs --force/);
  assert.match(result.stdout, /duplicate_window +1h → 2m +\[needs --force/);
  assert.match(result.stdout, /kept: subjects audit\.> are the operator's and stay/);
  assert.match(result.stdout, /^dry run: nothing was changed$/m);
  await assertUnchanged('stream apply --dry-run');
});

test('stream apply without --force refuses to shorten or lower, names each field and rule, exits 2', async () => {
  const result = await cli('stream', 'apply');
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stdout, /max_age +unlimited → 7d/, 'the difference is printed before the refusal');
  assert.match(result.stderr, /^naq-events: stream NAQ_JOB_EVENTS was not changed:$/m);
  for (const field of ['max_age', 'max_msgs', 'max_bytes', 'max_msg_size', 'duplicate_window']) {
    assert.match(result.stderr, new RegExp(`^naq-events: {3}${field} .* → .* needs --force: \\w`, 'm'), field);
  }
  await assertUnchanged('stream apply without --force');
});

test("stream apply --force applies the seed's limits, keeps the operator's subject and nothing else changes", async () => {
  const result = await cli('stream', 'apply', '--force');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^updated stream NAQ_JOB_EVENTS$/m);
  const seed = desiredStreamConfig(STREAM, PREFIX);
  assert.deepEqual(await config(STREAM), {
    ...operatorConfig,
    max_age: seed.max_age,
    max_msgs: seed.max_msgs,
    max_bytes: seed.max_bytes,
    max_msg_size: seed.max_msg_size,
    duplicate_window: seed.duplicate_window,
  });
  await admin.js.publish('audit.y', new Uint8Array([1]));

  const again = await cli('stream', 'apply');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /has the seed's limits and NAQ's subjects; nothing to change/);
});

test('a missing stream: show and --dry-run leave it missing, apply creates it with the seed configuration', async () => {
  const name = 'NAQ_FRESH';
  const where = ['--stream', name, '--prefix', 'fresh.events'];
  const shown = await cli('stream', 'show', ...where);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /stream NAQ_FRESH does not exist; naq-events stream apply creates it/);
  const dry = await cli('stream', 'apply', '--dry-run', ...where);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /does not exist; apply creates it with the seed's limits:\n {2}subjects +fresh\.events\.>/);
  assert.equal(await config(name), undefined, 'show and --dry-run do not create the stream');

  const created = await cli('stream', 'apply', ...where);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^created stream NAQ_FRESH$/m);
  const made = await config(name);
  const seed = desiredStreamConfig(name, 'fresh.events');
  for (const key of Object.keys(seed) as (keyof typeof seed)[]) assert.deepEqual(made?.[key], seed[key], key);
});

test('a stream that degrades NAQ: show says what degrades; apply adds the subject and direct get without --force', async () => {
  const name = 'NAQ_DEGRADED';
  await admin.jsm.streams.add({ name, subjects: ['ops.>'], allow_direct: false, max_age: nanos(24 * 3600_000), max_msgs: 1000, max_bytes: MiB, max_msg_size: 1000 });
  const where = ['--stream', name, '--prefix', 'deg.events'];
  const shown = await cli('stream', 'show', ...where);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^degraded: stream NAQ_DEGRADED: subjects \[ops\.>\] do not cover deg\.events\.>; events on uncovered subjects are refused/m);
  assert.match(shown.stdout, /^degraded: stream NAQ_DEGRADED: direct get is off; single events are read through a consumer/m);
  assert.match(shown.stdout, /^degraded: stream NAQ_DEGRADED: max_msg_size is 1000 bytes/m);

  const applied = await cli('stream', 'apply', ...where);
  assert.equal(applied.code, 0, applied.stderr);
  const after = await config(name);
  assert.deepEqual(after?.subjects, ['ops.>', 'deg.events.>']);
  assert.equal(after?.allow_direct, true);
  assert.equal(after?.max_msgs, 10_000_000);
  const again = await cli('stream', 'show', ...where);
  assert.match(again.stdout, /NAQ can use it fully/);
});

test('a subject that overlaps the prefix without being under it: apply refuses even with --force and says why', async () => {
  const name = 'NAQ_CLASH';
  await admin.jsm.streams.add({ name, subjects: ['clash.*.x'] });
  const before = await config(name);
  const result = await cli('stream', 'apply', '--force', '--stream', name, '--prefix', 'clash.jobs');
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stdout, /^stream NAQ_CLASH: \d+ changes?, and 1 it cannot make$/m);
  assert.match(result.stderr, /^naq-events: {3}subjects: clash\.jobs\.> cannot be added next to clash\.\*\.x, which overlap it without being under it/m);
  assert.deepEqual(await config(name), before);
});

test('stream usage errors name what is wrong, change nothing and exit 2', async () => {
  const before = await config(STREAM);
  for (const [args, expected] of [
    [['stream'], /stream takes show or apply/],
    [['stream', 'drop'], /stream takes show or apply/],
    [['stream', 'show', '--force'], /stream show does not take --force/],
    [['jobs', '--force'], /jobs does not take --force/],
  ] as const) {
    const result = await cli(...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, expected);
  }
  assert.deepEqual(await config(STREAM), before);
});
