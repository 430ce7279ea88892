import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { DeleteJobRequest, EmitRequest } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';

const fixtures = path.join(__dirname, '..', 'fixtures');
const workspace = mkdtempSync(path.join(tmpdir(), 'naq-failures-ws-'));
const file = path.join(workspace, 'jobs', 'plain.py');
const uri = pathToFileURL(file).href;
let server: NatsServer;
let nc: NatsConnection;
let backend: BackendProcess;

/** NAQ's result value for a job, pickled by the real Python from the corpus traceback. */
function pickledResult(): Buffer {
  return readFileSync(path.join(fixtures, 'failures', 'result_failed.pickle'));
}

/** Resolves on the first diagnostics for the file that satisfy `accept` (bounded: a hang fails the test). */
async function diagnosticsFor(accept: (params: PublishDiagnosticsParams) => boolean, what: string): Promise<PublishDiagnosticsParams> {
  return (await backend.nextDiagnostics(uri, accept, what)).value;
}

/** The index's snapshot lives here, so a second backend can start from what the first saved. */
const storagePath = mkdtempSync(path.join(tmpdir(), 'naq-failures-storage-'));

/** A backend over stdio on the workspace, as a plain LSP client starts it; resolves once it is connected. */
async function startBackend(): Promise<void> {
  backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }), {}, { workspaceFolders: [workspace] });
  await backend.untilPhase('connected');
}

before(async () => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, readFileSync(path.join(fixtures, 'tracebacks', 'programs', 'plain.py')));
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
  // NAQ's result bucket, as a NAQ worker creates it; the traceback is only there.
  const kv = await nc.jetstream().views.kv('naq_results');
  await kv.put('job-1', pickledResult());
  await startBackend();
});

after(async () => {
  await backend?.stop();
  await nc?.close();
  await server?.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(storagePath, { recursive: true, force: true });
});

function failed(jobId: string) {
  return { event: { job_id: jobId, event_type: 'failed', queue_name: 'billing', worker_id: 'w1', error_type: 'str', error_message: "invalid literal for int() with base 10: '12x'" } };
}

test('a failure whose traceback is only in a pickled naq_results entry lands on the raise line', async () => {
  await backend.rpc.sendRequest(EmitRequest.type, failed('job-1'));
  const { diagnostics } = await diagnosticsFor((params) => params.diagnostics.length > 0, 'for the first failure');
  assert.equal(diagnostics.length, 1);
  const [diagnostic] = diagnostics;
  assert.equal(diagnostic.code, 'ValueError');
  assert.deepEqual(diagnostic.range, { start: { line: 1, character: 11 }, end: { line: 1, character: 19 } });
  assert.match(String(diagnostic.message), /^ValueError ×1 in billing, last \d+ s ago: invalid literal/);
  assert.deepEqual(diagnostic.relatedInformation?.map((info) => info.location.range.start.line), [8, 5]);
});

test('opening a file with failures publishes its diagnostics at once, nothing else having changed', async () => {
  await backend.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(file, 'utf8') } });
  const { diagnostics } = await diagnosticsFor((params) => params.diagnostics.length > 0, 'on opening the file');
  assert.match(String(diagnostics[0]?.message), /^ValueError ×1 in billing/);
  // The opened document's text places the code lens on the enclosing `def parse`, line 0.
  const lenses = await backend.rpc.sendRequest<{ range: { start: { line: number } }; command?: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.deepEqual(lenses.map((lens) => [lens.range.start.line, lens.command?.title]), [[0, '✗ 1 failure · 1 signature · open latest']]);
});

test('a new failure arrives live; deleting the jobs clears the diagnostics', async () => {
  const kv = await nc.jetstream().views.kv('naq_results');
  await kv.put('job-2', pickledResult());
  await backend.rpc.sendRequest(EmitRequest.type, failed('job-2'));
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×2'), 'for the second failure');
  await backend.rpc.sendRequest(DeleteJobRequest.type, { jobId: 'job-1' });
  await backend.rpc.sendRequest(DeleteJobRequest.type, { jobId: 'job-2' });
  await diagnosticsFor((params) => params.diagnostics.length === 0, 'cleared after the deletions');
});


test('failures the index held before a restart are back after it, from the snapshot alone', async () => {
  const kv = await nc.jetstream().views.kv('naq_results');
  await kv.put('job-3', pickledResult());
  await backend.rpc.sendRequest(EmitRequest.type, failed('job-3'));
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×1'), 'for the failure before the restart');
  // Shut down as an editor does: the backend saves the index's snapshot on the way.
  await backend.stop();
  await startBackend();
  // No event arrives after the restart: only the restored index can name the failed job.
  await diagnosticsFor((params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×1'), 'for the failure after the restart');
  assert.ok(backend.logs.some((line) => line.startsWith('index: snapshot at sequence')), `the restart did not load the snapshot: ${backend.logs.join(' | ')}`);
});
