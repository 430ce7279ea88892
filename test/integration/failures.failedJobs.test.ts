import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { EmitRequest, FailuresChangedNotification, FailuresJobRequest } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';

/** The job id inside failed_job.pickle (written by test/fixtures/failures/make_pickles.py with the real Python). */
const PICKLED_JOB = '7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a';
const fixtures = path.join(__dirname, '..', 'fixtures');
const workspace = mkdtempSync(path.join(tmpdir(), 'naq-failedjobs-ws-'));
const file = path.join(workspace, 'jobs', 'plain.py');
const uri = pathToFileURL(file).href;
let server: NatsServer;
let nc: NatsConnection;
let backend: BackendProcess;

async function diagnosticsFor(accept: (params: PublishDiagnosticsParams) => boolean, what: string): Promise<PublishDiagnosticsParams> {
  return (await backend.nextDiagnostics(uri, accept, what)).value;
}

function failed(jobId: string) {
  return { event: { job_id: jobId, event_type: 'failed', queue_name: 'billing', worker_id: 'w1', error_type: 'str', error_message: "invalid literal for int() with base 10: '12x'" } };
}

before(async () => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, readFileSync(path.join(fixtures, 'tracebacks', 'programs', 'plain.py')));
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
  // NAQ's failed-jobs stream as a NAQ worker creates it; no result bucket, no traceback in the events.
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'naq_failed_jobs', subjects: ['naq.failed.*'] });
  await nc.jetstream().publish('naq.failed.billing', readFileSync(path.join(fixtures, 'failures', 'failed_job.pickle')));
  backend = await BackendProcess.start(backendSettings({ serverUrl: server.url }), {}, { workspaceFolders: [workspace] });
  await backend.untilPhase('connected');
});

after(async () => {
  await backend?.stop();
  await nc?.close();
  await server?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

test('a traceback only in the pickled failed-jobs stream lands on the raise line, with the call NAQ recorded', async () => {
  await backend.rpc.sendRequest(EmitRequest.type, failed(PICKLED_JOB));
  const { diagnostics } = await diagnosticsFor((params) => params.diagnostics.length > 0, 'for the failed-jobs entry');
  assert.equal(diagnostics[0].code, 'ValueError');
  assert.equal(diagnostics[0].range.start.line, 1);
  const job = await backend.rpc.sendRequest(FailuresJobRequest.type, { jobId: PICKLED_JOB });
  assert.equal(job?.origin, 'failed-jobs');
  assert.deepEqual(job?.call, { function: 'handle', args: "({'amount': '12x'},)", kwargs: '{}' });
  assert.equal(job?.frames.at(-1)?.mapped?.uri, uri);
});

test('an entry published after its failed event reaches the failure live', async () => {
  await backend.rpc.sendRequest(EmitRequest.type, failed('job-late'));
  const traceback = readFileSync(path.join(fixtures, 'tracebacks', 'plain.py.txt'), 'utf8');
  const value = { job_id: 'job-late', function_str: 'handle', args_repr: '(1,)', kwargs_repr: '{}', queue_name: 'billing', error: 'x', traceback };
  await nc.jetstream().publish('naq.failed.billing', JSON.stringify(value));
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×2'), 'for the late entry');
  const job = await backend.rpc.sendRequest(FailuresJobRequest.type, { jobId: 'job-late' });
  assert.equal(job?.origin, 'failed-jobs');
  assert.equal(job?.call?.args, '(1,)');
});

test('a traceback in the event\'s details keeps the call that the failed-jobs stream holds for the job', async () => {
  const traceback = readFileSync(path.join(fixtures, 'tracebacks', 'plain.py.txt'), 'utf8');
  const value = { job_id: 'job-details', function_str: 'handle', args_repr: "('7q',)", kwargs_repr: "{'retry': True}", queue_name: 'billing', error: 'x', traceback };
  await nc.jetstream().publish('naq.failed.billing', JSON.stringify(value));
  await backend.rpc.sendRequest(EmitRequest.type, { event: { ...failed('job-details').event, details: { traceback } } });
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×3'), 'for the failure with its traceback in its details');
  // The call comes from following the failed-jobs stream, which may be read after the event: waited for, bounded.
  const job = await backend.until('the call of the failure found in its details', async () => {
    const item = await backend.rpc.sendRequest(FailuresJobRequest.type, { jobId: 'job-details' });
    return item?.call ? item : undefined;
  });
  assert.equal(job.origin, 'details');
  assert.deepEqual(job.call, { function: 'handle', args: "('7q',)", kwargs: "{'retry': True}" });
});

test('a call recorded after its failure was placed is announced by failures/changed, for the open timelines', async () => {
  const traceback = readFileSync(path.join(fixtures, 'tracebacks', 'plain.py.txt'), 'utf8');
  await backend.rpc.sendRequest(EmitRequest.type, { event: { ...failed('job-call-later').event, details: { traceback } } });
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×4'), 'for the failure placed from its details');
  assert.equal((await backend.rpc.sendRequest(FailuresJobRequest.type, { jobId: 'job-call-later' }))?.call, undefined);

  let announced = false;
  const listening = backend.rpc.onNotification(FailuresChangedNotification.type, () => {
    announced = true;
  });
  try {
    const value = { job_id: 'job-call-later', function_str: 'settle', args_repr: '(3,)', kwargs_repr: '{}', queue_name: 'billing', error: 'x', traceback };
    await nc.jetstream().publish('naq.failed.billing', JSON.stringify(value));
    await backend.until('failures/changed after the call was recorded', () => announced);
  } finally {
    listening.dispose();
  }
  const job = await backend.rpc.sendRequest(FailuresJobRequest.type, { jobId: 'job-call-later' });
  assert.deepEqual(job?.call, { function: 'settle', args: '(3,)', kwargs: '{}' });
});
