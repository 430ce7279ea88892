import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { NatsProxy } from '../support/natsProxy';
import { NatsServer } from '../support/natsServer';
import { openStorage, PREFIX, within } from '../support/storageFixture';
import { EventStorage } from '../../server/src/storage/eventStorage';
import { CLI, runCli, type CliResult } from '../support/cliProcess';

const run = promisify(execFile);
/** Debian's interpreter, where the python3-msgpack package installs. */
const PYTHON = '/usr/bin/python3';

let server: NatsServer;
let storage: EventStorage;

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build first`);
  server = await NatsServer.start();
  storage = await openStorage(server);
});

after(async () => {
  await storage?.close();
  await server?.dispose();
});

function cli(...args: string[]): Promise<CliResult> {
  return runCli(server.url, args);
}

async function python(script: string, input: string): Promise<string> {
  const child = spawn(PYTHON, ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(input);
  const code = await within(20_000, new Promise<number | null>((resolve) => child.on('exit', resolve)), 'python');
  assert.equal(code, 0, err);
  return out;
}

test('emit prints the sequence and subject; Python msgpack reads the 17 seed keys in order', async () => {
  const { stdout, code } = await cli('emit', '--job', 'cli-1', '--type', 'failed', '--worker', 'w1', '--error-type', 'ValueError', '--error-message', 'boom', '--duration-ms', '12');
  assert.equal(code, 0);
  const printed = JSON.parse(stdout) as { seq: number; subject: string };
  assert.equal(printed.subject, `${PREFIX}.cli-1.worker.w1.failed`);
  const stored = await storage.session.jsm.streams.getMessage('NAQ_JOB_EVENTS', { seq: printed.seq });
  const decoded = await python(
    [
      'import sys, msgpack, json',
      'raw = bytes.fromhex(sys.stdin.read())',
      'obj = msgpack.unpackb(raw, raw=False)',
      'print(json.dumps({"keys": list(obj.keys()), "ts_float": raw.find(b"\\xa9timestamp\\xcb") >= 0, "dur": obj["duration_ms"], "type": type(obj["timestamp"]).__name__, "subject": obj["nats_subject"]}))',
    ].join('\n'),
    Buffer.from(stored.data).toString('hex'),
  );
  const result = JSON.parse(decoded) as { keys: string[]; ts_float: boolean; dur: number; type: string; subject: string };
  assert.deepEqual(result.keys, [
    'job_id', 'event_type', 'timestamp', 'worker_id', 'worker_type', 'queue_name', 'message', 'details', 'error_type',
    'error_message', 'duration_ms', 'memory_mb', 'cpu_time_ms', 'tags', 'metadata', 'nats_subject', 'nats_sequence',
  ]);
  assert.equal(result.ts_float, true);
  assert.equal(result.type, 'float');
  assert.equal(result.dur, 12);
  assert.equal(result.subject, printed.subject);
});

test('history shows events written by another client in both published layouts', async () => {
  const payloads = await python(
    [
      'import msgpack',
      'seed = {"job_id": "py-1", "event_type": "enqueued", "timestamp": 1700000000.5, "worker_id": None, "worker_type": None, "queue_name": "high", "message": "from python", "details": {"priority": 1}, "error_type": None, "error_message": None, "duration_ms": None, "memory_mb": None, "cpu_time_ms": None, "tags": {}, "metadata": {}, "nats_subject": None, "nats_sequence": None}',
      'published = {"job_id": "py-1", "event_type": "paused", "timestamp": 1700000001.0, "worker_id": "w9", "queue_name": None, "message": "published layout", "details": None, "error_type": None, "error_message": None, "duration_ms": 15, "nats_subject": None, "nats_sequence": None}',
      'print(msgpack.packb(seed).hex())',
      'print(msgpack.packb(published).hex())',
    ].join('\n'),
    '',
  );
  const [seedHex, publishedHex] = payloads.trim().split('\n');
  await storage.session.js.publish(`${PREFIX}.py-1.queue.high.enqueued`, Buffer.from(seedHex as string, 'hex'));
  await storage.session.js.publish(`${PREFIX}.py-1.worker.w9.paused`, Buffer.from(publishedHex as string, 'hex'));
  const { stdout, code } = await cli('history', 'py-1', '--json');
  assert.equal(code, 0);
  const events = JSON.parse(stdout) as { event_type: string; message: string; nats_subject: string; nats_sequence: number; duration_ms: number }[];
  assert.deepEqual(events.map((e) => e.event_type), ['enqueued', 'paused']);
  assert.equal(events[1]?.nats_subject, `${PREFIX}.py-1.worker.w9.paused`);
  assert.equal(typeof events[0]?.nats_sequence, 'number');
  assert.equal(events[1]?.duration_ms, 15);
  const text = await cli('history', 'py-1');
  assert.match(text.stdout, /paused\s+py-1\s+worker=w9/);
});

test('jobs, stats, health and delete', async () => {
  await cli('emit', '--job', 'cli-2', '--type', 'enqueued', '--queue', 'mail');
  await cli('emit', '--job', 'cli-2', '--type', 'started', '--worker', 'w2', '--queue', 'mail');
  await cli('emit', '--job', 'cli-2', '--type', 'completed', '--worker', 'w2', '--duration-ms', '40');
  const jobs = JSON.parse((await cli('jobs', '--queue', 'mail', '--json')).stdout) as { jobId: string; status: string }[];
  assert.deepEqual(jobs.map((j) => [j.jobId, j.status]), [['cli-2', 'completed']]);
  const stats = JSON.parse((await cli('stats', '--json')).stdout) as { jobsCompleted: number; workerUsage: Record<string, number> };
  assert.equal(stats.jobsCompleted, 1);
  assert.equal(stats.workerUsage.w2, 1);
  const health = JSON.parse((await cli('health', '--json')).stdout) as { stream: { messages: number } };
  assert.ok(health.stream.messages >= 5);
  assert.match((await cli('delete', 'cli-2')).stdout, /deleted 3 events of job "cli-2"/);
  assert.deepEqual(JSON.parse((await cli('history', 'cli-2', '--json')).stdout), []);
});

test('a server that stops answering once connected is said to, not to have a wrong address', async () => {
  const proxy = await NatsProxy.start(server.port);
  try {
    // Health lists the stream's consumers only after connecting: that request never reaches the server.
    proxy.holdMessages('to-server', '$JS.API.CONSUMER.LIST.');
    const result = await runCli(proxy.url, ['health'], { env: { NAQ_NATS_CONNECTION_TIMEOUT: '1' } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /stopped answering/);
    assert.doesNotMatch(result.stderr, /address|TLS/);
  } finally {
    await proxy.dispose();
  }
});

test('tail prints live events as JSON lines', async () => {
  const child = spawn('node', [CLI, 'tail', `${PREFIX}.*.worker.*.failed`, '--json', '--server', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const firstLine = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve();
    });
  });
  const listening = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on ')) resolve();
    });
  });
  try {
    await within(15_000, listening, 'tail listening');
    await cli('emit', '--job', 'tail-1', '--type', 'started', '--worker', 'w');
    await cli('emit', '--job', 'tail-1', '--type', 'failed', '--worker', 'w', '--error-message', 'tailed');
    await within(10_000, firstLine, 'tail output');
    const first = JSON.parse(out.split('\n')[0] as string) as { event_type: string; error_message: string };
    assert.equal(first.event_type, 'failed');
    assert.equal(first.error_message, 'tailed');
  } finally {
    child.kill('SIGINT');
    await within(10_000, new Promise((r) => child.on('exit', r)), 'tail exit');
  }
});

test('bad input gives a one-line error and a non-zero exit code', async () => {
  const cases: [string[], RegExp, number][] = [
    [['emit', '--job', 'a.b', '--type', 'failed'], /invalid job id "a\.b": must not contain '\.'/, 2],
    [['emit', '--job', 'x', '--type', 'nope'], /unknown event type "nope"/, 2],
    [['emit', '--type', 'failed'], /--job is required/, 2],
    [['emit', '--job', 'x', '--type', 'completed', '--duration-ms', 'abc'], /--duration-ms "abc": expected/, 2],
    [['tail', 'naq..x'], /empty token/, 2],
    [['jobs', '--status', 'weird'], /unknown status "weird"/, 2],
    [['history'], /exactly one job id/, 2],
    [['frobnicate'], /unknown command/, 2],
  ];
  for (const [args, message, exitCode] of cases) {
    const result = await cli(...args);
    assert.equal(result.code, exitCode, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  const unreachable = await run('node', [CLI, 'health', '--server', 'nats://127.0.0.1:1'], { timeout: 30_000 }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((unreachable as { code: number }).code, 1);
  assert.match((unreachable as { stderr: string }).stderr, /cannot use nats:\/\/127\.0\.0\.1:1: connection refused/);
});
