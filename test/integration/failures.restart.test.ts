import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { connect, type NatsConnection } from 'nats';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { JobEvents } from '../../server/src/model/factories';
import { FailuresJobRequest, type FailureJobItem } from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';

/** The job id inside failed_job.pickle (written by test/fixtures/failures/make_pickles.py with the real Python). */
const PICKLED_JOB = '7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a';
const fixtures = path.join(__dirname, '..', 'fixtures');
const traceback = readFileSync(path.join(fixtures, 'tracebacks', 'plain.py.txt'), 'utf8');
const workspace = mkdtempSync(path.join(tmpdir(), 'naq-failures-restart-ws-'));
const file = path.join(workspace, 'jobs', 'plain.py');
const uri = pathToFileURL(file).href;
/** The index's snapshot lives here, so a second backend can start from what the first saved. */
const storagePath = mkdtempSync(path.join(tmpdir(), 'naq-failures-restart-storage-'));
/** One failure per traceback source: the event's details, NAQ's result bucket, NAQ's failed-jobs stream. */
const JOBS = ['job-details', 'job-result', PICKLED_JOB];
let server: NatsServer;
let nc: NatsConnection;
let backend: BackendProcess;

async function startBackend(): Promise<void> {
  backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath }), {}, { workspaceFolders: [workspace] });
  await backend.untilPhase('connected');
}

/** NAQ's failed event (its useless `error_type`), with the traceback in its details or not. */
function failed(jobId: string, stack?: string) {
  return JobEvents.failed(jobId, 'w1', { name: 'str', message: "invalid literal for int() with base 10: '12x'", ...(stack ? { stack } : {}) }, 5, 0, { queue_name: 'billing' });
}

/** What a diagnostic says but the time since the last failure, which moves on while the backend restarts. */
function lasting(diagnostic: Diagnostic): unknown {
  return { ...diagnostic, message: String(diagnostic.message).replace(/last \d+ \w+ ago/, 'last … ago') };
}

async function jobs(): Promise<(FailureJobItem | null)[]> {
  return Promise.all(JOBS.map((jobId) => backend.rpc.sendRequest(FailuresJobRequest.type, { jobId })));
}

before(async () => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, readFileSync(path.join(fixtures, 'tracebacks', 'programs', 'plain.py')));
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
  const js = nc.jetstream();
  await (await js.views.kv('naq_results')).put('job-result', readFileSync(path.join(fixtures, 'failures', 'result_failed.pickle')));
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'naq_failed_jobs', subjects: ['naq.failed.*'] });
  await js.publish('naq.failed.billing', readFileSync(path.join(fixtures, 'failures', 'failed_job.pickle')));
  await js.publish('naq.failed.billing', JSON.stringify({ job_id: 'job-details', function_str: 'charge', args_repr: '(42,)', kwargs_repr: '{}', queue_name: 'billing', error: 'x', traceback }));
  // Stored before the backend starts: its build's own snapshot is saved before any lookup ends, and nothing moves after.
  const storage = await openStorage(server);
  await storage.store(failed('job-details', traceback));
  await storage.store(failed('job-result'));
  await storage.store(failed(PICKLED_JOB));
  await storage.close();
  await startBackend();
});

after(async () => {
  await backend?.stop();
  await nc?.close();
  await server?.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(storagePath, { recursive: true, force: true });
});

test('a restarted backend publishes the failures it held from the snapshot, with their calls, looking none up', async () => {
  const before = await backend.nextDiagnostics(uri, (params) => String(params.diagnostics[0]?.message).startsWith('ValueError ×3'), 'for the three failures');
  const held = await backend.until('the call of the failure found in its details', async () => {
    const items = await jobs();
    return items[0]?.call ? items : undefined;
  });
  assert.deepEqual(held.map((item) => [item?.origin, item?.call?.function]), [['details', 'charge'], ['result', undefined], ['failed-jobs', 'handle']]);
  // Shut down as an editor does: the backend saves the index's snapshot on the way, for the failures placed since.
  await backend.stop();
  await startBackend();
  // No event arrives after the restart: the restored snapshot alone names and places the failures.
  const after = await backend.nextDiagnostics(uri, (params) => params.diagnostics.length > 0, 'after the restart');
  assert.deepEqual(after.value.diagnostics.map(lasting), before.value.diagnostics.map(lasting));
  assert.ok(backend.logs.some((line) => line.startsWith('index: snapshot at sequence')), `the restart did not load the snapshot: ${backend.logs.join(' | ')}`);
  const report = await backend.until('the report of the index\'s reset', () => backend.logs.find((line) => line.startsWith("failures: the index's reset named")));
  assert.equal(report, "failures: the index's reset named 3 failed jobs; 0 lookups placed those the store did not hold");
  assert.deepEqual(await jobs(), held);
});
