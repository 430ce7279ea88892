/** The CLI as scripts use it: in a pipe its reader closes early, and JSON that a terminal or a parser reads. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { AsyncJobEventLogger } from '../../server/src/logger/eventLogger';
import { createEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { withTimeout } from '../../server/src/util/timeout';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { NatsServer } from '../support/natsServer';
import { openStorage, within } from '../support/storageFixture';
import { CLI, runCli, type CliResult } from '../support/cliProcess';

const run = promisify(execFile);
/** Far more output than a pipe holds (64 KiB), so that writes go on after the reader is gone. */
const JOBS = 3000;
/** What a terminal must never get raw: C0 and C1 controls, line and paragraph separators, bidirectional controls. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'over\u202Eflow \u2066isolated\u2069 csi\u009B2J bell\u0007 nel\u0085 ls\u2028end';

let server: NatsServer;
let storage: EventStorage;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  server = await NatsServer.start();
  storage = await openStorage(server);
  const logger = new AsyncJobEventLogger(storage.session, { batchSize: 500 });
  logger.start();
  for (let i = 0; i < JOBS; i++) await logger.log(JobEvents.enqueued(`pipe-${i}`, 'q'));
  const result = await withTimeout(logger.stop(), 60_000, 'stopping the logger');
  assert.equal(result.stored, JOBS);
  await storage.store(createEvent({ job_id: 'hostile-1', event_type: 'failed', worker_id: 'w1', error_type: 'ValueError', error_message: HOSTILE, message: HOSTILE }));
});

after(async () => {
  await storage?.close();
  await server?.dispose();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(server.url, args, { timeoutMs: 60_000, maxBuffer: 64 * 1024 * 1024 });
}

test('naq-events jobs | head -3 exits 0, quietly', async () => {
  const { stdout, stderr } = await run('bash', ['-c', `set -o pipefail; node "${CLI}" jobs --server "${server.url}" | head -3`], { timeout: 60_000 });
  assert.equal(stdout.trimEnd().split('\n').length, 3);
  assert.equal(stderr, '', 'nothing on stderr: no EPIPE, no stack trace');
});

test('a reader that closes after the first chunk: status 0, nothing on stderr', async () => {
  for (const args of [['jobs'], ['jobs', '--json']]) {
    const child = spawn('node', [CLI, ...args, '--server', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await within(30_000, new Promise<void>((resolve) => child.stdout.once('data', () => resolve())), 'the first output');
    child.stdout.destroy();
    const code = await within(30_000, exited, 'the CLI exiting');
    assert.equal(code, 0, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr, '', args.join(' '));
  }
});

test('tail | head -1 ends with status 0 once head has its line, instead of following the stream forever', async () => {
  const child = spawn('bash', ['-c', `set -o pipefail; node "${CLI}" tail --server "${server.url}" | head -1`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const listening = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on ')) resolve();
    });
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => child.on('exit', (code) => ((exitCode = code), resolve())));
  try {
    await within(30_000, listening, 'tail listening');
    // head takes the first event and goes; the tail learns it on its next write, so events keep coming until it has ended.
    const publishing = (async () => {
      for (let i = 0; exitCode === undefined && i < 10_000; i++) await storage.store(createEvent({ job_id: `tail-pipe-${i}`, event_type: 'enqueued', queue_name: 'q' }));
    })();
    await within(30_000, exited, 'the tail ending after head left');
    await publishing;
  } finally {
    if (exitCode === undefined) child.kill();
  }
  assert.equal(exitCode, 0, stderr);
  assert.equal(stdout.trimEnd().split('\n').length, 1);
  assert.match(stdout, /tail-pipe-0/);
  assert.equal(stderr.replace(/^listening on .*\n/m, ''), '', 'nothing on stderr but the listening line');
});

test('--json escapes control and bidirectional characters as \\uXXXX, and parses back to the stored text', async () => {
  const history = await cli('history', 'hostile-1', '--json');
  assert.equal(history.code, 0, history.stderr);
  assert.doesNotMatch(history.stdout, UNSAFE);
  for (const escape of ['\\u202e', '\\u2066', '\\u009b', '\\u0007', '\\u0085', '\\u2028']) assert.ok(history.stdout.includes(escape), escape);
  const [event] = JSON.parse(history.stdout) as { message: string; error_message: string }[];
  assert.equal(event?.message, HOSTILE);
  assert.equal(event?.error_message, HOSTILE);

  const jobs = await cli('jobs', '--status', 'failed', '--json');
  assert.equal(jobs.code, 0, jobs.stderr);
  assert.doesNotMatch(jobs.stdout, UNSAFE);
  const [job] = JSON.parse(jobs.stdout) as { jobId: string; lastError: { message: string } }[];
  assert.equal(job?.jobId, 'hostile-1');
  assert.equal(job?.lastError.message, HOSTILE);

  const text = await cli('history', 'hostile-1');
  assert.equal(text.code, 0, text.stderr);
  assert.doesNotMatch(text.stdout.replace(/\n/g, ''), UNSAFE, 'the text output escapes them as it did');
});
