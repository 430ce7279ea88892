import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { EventDecodeError } from '../../server/src/codec/decode';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { EmitRequest, GetJobRequest, TailStartRequest, TailStopRequest, TimelineRequest } from '../../server/src/protocol/protocol';
import { EventStorage, EventTooLargeError } from '../../server/src/storage/eventStorage';
import { InvalidIdError, TokenRule } from '../../server/src/subjects/tokens';
import { withTimeout } from '../../server/src/util/timeout';
import { assertFields, loadCorpus } from '../corpus/corpus';
import { BackendProcess, backendSettings, SERVER_JS } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { openStorage, PREFIX } from '../support/storageFixture';
import { eventually } from '../support/eventually';

/**
 * Bad input against a real stream: every corpus payload published raw (as any client with publish
 * permission could), ids that cannot be subject tokens, and events over the message size limit. Readers
 * report what is broken and carry on; nothing already stored is lost.
 */

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const corpus = loadCorpus();
const good = corpus.filter((c) => c.event);
const bad = corpus.filter((c) => c.error);
const subjectOf = (job: string, name: string): string => `${PREFIX}.${job}.${name}`;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let server: NatsServer;
let storage: EventStorage;
let home: string;

before(async () => {
  assert.ok(existsSync(CLI) && existsSync(SERVER_JS), 'dist/ is missing: run npm run build first');
  server = await NatsServer.start();
  storage = await openStorage(server);
  home = mkdtempSync(join(tmpdir(), 'naq-badinput-home-'));
});

after(async () => {
  await storage?.close();
  await server?.dispose();
  rmSync(home, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args, '--server', server.url], {
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function messages(): Promise<number> {
  return (await storage.streamInfo()).state.messages;
}

/** Ten events for each of three jobs, stored before anything bad arrives: all must survive. */
async function storeBaseline(tag: string): Promise<string[]> {
  const jobs = [0, 1, 2].map((j) => `${tag}-${j}`);
  for (let i = 0; i < 30; i++) await storage.store(JobEvents.started(jobs[i % 3] as string, `w${i}`, 'async', { details: { i } }));
  return jobs;
}

async function assertBaseline(jobs: string[]): Promise<void> {
  for (const job of jobs) {
    const { events, errors } = await storage.jobEvents(job);
    assert.equal(events.length, 10, `${job} kept its events`);
    assert.deepEqual(errors, []);
  }
}

test('every corpus payload, published raw: typed errors for the bad, the good intact, the backend and CLI carry on', { timeout: 180_000 }, async (t) => {
  const baseline = await storeBaseline('keep');
  const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: server.url })), 30_000, 'starting the backend');
  try {
    await backend.untilPhase('connected', 20_000);
    // A live tail of everything, running before the corpus arrives: it decodes each payload as it comes.
    const tail = await withTimeout(backend.rpc.sendRequest(TailStartRequest.type, { pattern: `${PREFIX}.>` }), 10_000, 'tail start');
    await eventually(
      'the tail is live',
      async () => {
        await storage.store(JobEvents.enqueued('tail-probe', 'q'));
        return backend.tails.some((b) => b.tailId === tail.tailId && b.events.some((e) => e.job_id === 'tail-probe'));
      },
      20_000,
      300,
    );
    const before = await messages();

    for (const c of corpus) await withTimeout(storage.session.js.publish(subjectOf('corpus', c.name), c.bytes), 10_000, `publishing ${c.name}`);
    assert.equal(await messages(), before + corpus.length, 'every payload is in the stream');

    // The library: the good events, and one typed error per bad payload naming its sequence and subject.
    const read = await withTimeout(storage.jobEvents('corpus'), 30_000, 'jobEvents');
    assert.deepEqual(read.events.map((e) => e.nats_subject), good.map((c) => subjectOf('corpus', c.name)));
    assert.deepEqual(read.errors.map((e) => e.subject), bad.map((c) => subjectOf('corpus', c.name)));
    for (const [i, c] of good.entries()) assertFields(read.events[i] as JobEvent, c.event ?? {}, c.name);
    for (const [i, c] of bad.entries()) {
      const error = read.errors[i] as EventDecodeError;
      assert.ok(error instanceof EventDecodeError);
      assert.match(error.message, c.error ?? /./);
      assert.equal(typeof error.seq, 'number');
    }

    // The backend: the index counts every payload as an event of the job; the timeline reports the bad ones.
    const job = await backend.until('corpus indexed', async () => {
      const j = await withTimeout(backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'corpus' }), 15_000, 'backend request');
      return j && j.eventCount === corpus.length ? j : undefined;
    }, 30_000);
    assert.equal(job.jobId, 'corpus');
    const timeline = await withTimeout(backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'corpus' }), 30_000, 'timeline');
    assert.deepEqual(timeline.events.map((e) => e.nats_subject), good.map((c) => subjectOf('corpus', c.name)));
    assert.deepEqual(timeline.problems.map((p) => p.subject).sort(), bad.map((c) => subjectOf('corpus', c.name)).sort());
    for (const problem of timeline.problems) assert.match(problem.message, /^cannot decode event at sequence \d+/);
    const hostile = timeline.events.find((e) => e.nats_subject === subjectOf('corpus', 'hostile-text'));
    assert.equal(hostile?.message, '<img src=x onerror=alert(1)>', 'hostile text arrives intact, for the UI to escape');

    // The live tail saw them all, as events or problems, and the backend is still there.
    const tailed = await backend.until('the tail saw the whole corpus', () => {
      const batches = backend.tails.filter((b) => b.tailId === tail.tailId);
      const events = batches.flatMap((b) => b.events).filter((e) => e.nats_subject?.startsWith(`${PREFIX}.corpus.`));
      const problems = batches.flatMap((b) => b.problems).filter((p) => p.subject?.startsWith(`${PREFIX}.corpus.`));
      return events.length + problems.length === corpus.length ? { events, problems } : undefined;
    }, 30_000);
    assert.equal(tailed.events.length, good.length);
    assert.equal(tailed.problems.length, bad.length);
    await withTimeout(backend.rpc.sendRequest(TailStopRequest.type, { tailId: tail.tailId }), 15_000, 'backend request');
    assert.equal(backend.child.exitCode, null, 'the backend is still running');
    const kept = await withTimeout(backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'keep-0' }), 15_000, 'backend request');
    assert.equal(kept?.eventCount, 10);

    // The CLI: one line per event, one warning line per bad payload, no raw control character anywhere.
    const history = await cli('history', 'corpus');
    assert.equal(history.code, 0, history.stderr);
    assert.equal(history.stdout.trim().split('\n').length, good.length);
    assert.equal(history.stderr.trim().split('\n').length, bad.length);
    assert.doesNotMatch(history.stdout, RAW_CONTROL, 'history prints controls escaped');
    assert.doesNotMatch(history.stderr, RAW_CONTROL, 'warnings print controls escaped');
    assert.ok(!history.stdout.includes('\u001b') && !history.stderr.includes('\u001b'), 'no raw ESC byte');
    assert.match(history.stdout, /\\u001b\[31mred/, 'the escape sequence is shown, escaped');
    const json = await cli('history', 'corpus', '--json');
    assert.equal(json.code, 0, json.stderr);
    assert.ok(!json.stdout.includes('\u001b'), 'no raw ESC byte in --json');
    assert.equal((JSON.parse(json.stdout) as unknown[]).length, good.length);

    assert.equal(await messages(), before + corpus.length, 'nothing was lost or added');
    await assertBaseline(baseline);
    t.diagnostic(`${good.length} events and ${bad.length} bad payloads; timeline ${timeline.events.length}/${timeline.problems.length}`);
  } finally {
    await withTimeout(backend.stop(), 30_000, 'stopping the backend').catch(() => undefined);
  }
});

const BAD_IDS: [string, TokenRule, RegExp][] = [
  ['a.b', 'dot', /must not contain '\.'/],
  ['job*', 'wildcard', /must not contain '\*' or '>'/],
  ['job>', 'wildcard', /must not contain '\*' or '>'/],
  ['a b', 'whitespace', /must not contain whitespace/],
  ['a\u00a0b', 'whitespace', /must not contain whitespace/],
  ['tab\there', 'control', /must not contain control characters/],
  ['bell\u0007', 'control', /must not contain control characters/],
  ['x'.repeat(1_000), 'too-long', /must be at most 256 characters \(got 1000\)/],
  ['', 'empty', /must not be empty/],
  ['global', 'reserved', /is reserved/],
];

test('ids that cannot be subject tokens: InvalidIdError naming the rule, from storage, logger, backend and CLI; nothing else lost', { timeout: 120_000 }, async () => {
  const baseline = await storeBaseline('ids');
  const before = await messages();
  for (const [id, rule, text] of BAD_IDS) {
    await assert.rejects(storage.store(JobEvents.started(id, 'w1', 'async')), (e: unknown) => e instanceof InvalidIdError && e.rule === rule && e.kind === 'job id' && text.test(e.message));
  }
  await assert.rejects(storage.store(JobEvents.started('ok', 'w.1', 'async')), (e: unknown) => e instanceof InvalidIdError && e.kind === 'worker id' && e.rule === 'dot');
  await assert.rejects(storage.store(JobEvents.enqueued('ok', 'q 1')), (e: unknown) => e instanceof InvalidIdError && e.kind === 'queue name' && e.rule === 'whitespace');
  assert.equal(await messages(), before, 'nothing was published');

  // In one logging run: the bad ones are refused at log(), every good one around them is stored.
  const logger = new AsyncJobEventLogger(storage.session, { batchSize: 7 });
  logger.start();
  let goodLogged = 0;
  await withTimeout(
    (async () => {
      for (let i = 0; i < 50; i++) {
        await logger.log(JobEvents.enqueued('ids-run', 'q', 0, { details: { i } }));
        goodLogged++;
        const [id, rule] = BAD_IDS[i % BAD_IDS.length] as [string, TokenRule, RegExp];
        await assert.rejects(logger.log(JobEvents.started(id, 'w', 'async')), (e: unknown) => e instanceof InvalidIdError && e.rule === rule);
      }
    })(),
    20_000,
    'logging',
  );
  const report = await withTimeout(logger.stop(20_000), 25_000, 'logger stop');
  assert.equal(report.stored, goodLogged);
  assert.deepEqual(report.notStored, []);
  const run = await storage.jobEvents('ids-run');
  assert.deepEqual(run.events.map((e) => e.details.i), Array.from({ length: 50 }, (_, i) => i));

  // The CLI: exit 2, one line naming the rule, the id shown escaped.
  for (const [id, , text] of BAD_IDS) {
    const result = await cli('emit', '--job', id, '--type', 'started');
    assert.equal(result.code, 2, `${JSON.stringify(id)}: ${result.stderr}`);
    assert.match(result.stderr, text);
    assert.match(result.stderr, /^naq-events: invalid job id /);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.doesNotMatch(result.stderr.trimEnd(), RAW_CONTROL);
  }
  const worker = await cli('emit', '--job', 'ok', '--type', 'started', '--worker', 'w>1');
  assert.equal(worker.code, 2);
  assert.match(worker.stderr, /invalid worker id "w>1": must not contain '\*' or '>'/);

  // The backend refuses them the same way and stays up.
  const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: server.url })), 30_000, 'starting the backend');
  try {
    await backend.untilPhase('connected', 20_000);
    for (const [id, , text] of BAD_IDS) await assert.rejects(withTimeout(backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: id, event_type: 'started' } }), 15_000, 'backend request'), text);
    assert.equal(backend.child.exitCode, null);
  } finally {
    await withTimeout(backend.stop(), 30_000, 'stopping the backend').catch(() => undefined);
  }
  assert.equal(await messages(), before + 50);
  await assertBaseline(baseline);
});

test('events over the 1 MB message limit: a clear error naming the limit and the size; everything else stored', { timeout: 120_000 }, async () => {
  const baseline = await storeBaseline('size');
  const before = await messages();
  const big = (): JobEvent => JobEvents.failed('too-big', 'w1', { name: 'Error', message: 'x'.repeat(1_100_000) }, 1);
  await assert.rejects(storage.store(big()), (e: unknown) => e instanceof EventTooLargeError && /^event of \d{7} bytes not stored: larger than the server's max_payload of 1048576 bytes$/.test(e.message));

  const logger = new AsyncJobEventLogger(storage.session, { batchSize: 25 });
  logger.start();
  await withTimeout(
    (async () => {
      for (let i = 0; i < 300; i++) await logger.log(i === 100 || i === 200 ? big() : JobEvents.enqueued('size-run', 'q', 0, { details: { i } }));
    })(),
    20_000,
    'logging',
  );
  const report = await withTimeout(logger.stop(20_000), 25_000, 'logger stop');
  assert.equal(report.stored, 298);
  assert.equal(report.notStored.length, 2);
  for (const failure of report.notStored) {
    assert.equal(failure.event.job_id, 'too-big');
    assert.match(failure.reason, /^message of \d{7} bytes exceeds the server's max_payload of 1048576 bytes$/);
  }
  const stored = await storage.jobEvents('size-run');
  assert.deepEqual(stored.events.map((e) => e.details.i), Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 100 && i !== 200));

  const backend = await withTimeout(BackendProcess.start(backendSettings({ serverUrl: server.url })), 30_000, 'starting the backend');
  try {
    await backend.untilPhase('connected', 20_000);
    await assert.rejects(
      withTimeout(backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'too-big', event_type: 'started', message: 'x'.repeat(1_100_000) } }), 15_000, 'backend request'),
      /larger than the server's max_payload of 1048576 bytes/,
    );
    assert.equal(backend.child.exitCode, null);
  } finally {
    await withTimeout(backend.stop(), 30_000, 'stopping the backend').catch(() => undefined);
  }
  assert.equal(await messages(), before + 298);
  await assertBaseline(baseline);

  // A server taking bigger messages than the stream: then the stream's own limit is the one named.
  const roomy = await NatsServer.start({ config: 'max_payload: 4MB' });
  const roomyStorage = await openStorage(roomy);
  try {
    await assert.rejects(roomyStorage.store(big()), (e: unknown) => e instanceof EventTooLargeError && /larger than the stream's max_msg_size of 1048576 bytes$/.test(e.message));
    const roomyLogger = new AsyncJobEventLogger(roomyStorage.session);
    roomyLogger.start();
    await withTimeout(Promise.all([roomyLogger.log(JobEvents.enqueued('fits', 'q')), roomyLogger.log(big()), roomyLogger.log(JobEvents.enqueued('fits', 'q'))]), 10_000, 'logging');
    const roomyReport = await withTimeout(roomyLogger.stop(20_000), 25_000, 'logger stop');
    assert.equal(roomyReport.stored, 2);
    assert.match(roomyReport.notStored[0]?.reason ?? '', /message size exceeds maximum allowed .*larger than the stream's max_msg_size/);
    assert.equal((await roomyStorage.streamInfo()).state.messages, 2);
  } finally {
    await roomyStorage.close();
    await roomy.dispose();
  }
});
