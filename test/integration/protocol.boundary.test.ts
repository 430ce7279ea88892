import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol';
import { changedJobs } from '../../client/src/views/changedJobs';
import { JobEvents } from '../../server/src/model/factories';
import {
  EmitRequest,
  GetJobRequest,
  ListContextsRequest,
  ListJobsRequest,
  StateRequest,
  TimelineRequest,
  type IndexChange,
} from '../../server/src/protocol/protocol';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import { NatsServer } from '../support/natsServer';

let server: NatsServer;
let backend: BackendProcess;

before(async () => {
  server = await NatsServer.start();
  backend = await BackendProcess.start(backendSettings({ serverUrl: server.url }));
  await backend.untilPhase('connected');
  await backend.until('index built', () => backend.state?.index?.building === false);
});

after(async () => {
  await backend?.stop();
  await server?.dispose();
});

const valid = { serverUrl: '', streamName: 'S', subjectPrefix: 'p', context: '', natsServerPath: '', embeddedServer: 'never', tailRateLimit: 10, storagePath: '', secrets: {} };

/** [method, params, the field the error must name, the rule's words]. */
const hostile: [string, unknown, string, RegExp][] = [
  ['jobs/list', null, 'params', /must be an object/],
  ['jobs/list', { offset: '0', limit: 10 }, 'offset', /integer/],
  ['jobs/list', { offset: 0, limit: -1 }, 'limit', /integer from 0/],
  ['jobs/list', { offset: 0, limit: 1e9 }, 'limit', /integer from 0 to 50000/],
  ['jobs/list', { offset: 0, limit: 10, status: 'bogus' }, 'status', /job status/],
  ['jobs/list', { offset: 0, limit: 10, queue: 'a.b' }, 'queue', /invalid queue name "a\.b": must not contain '\.'/],
  ['jobs/list', { offset: 0, limit: 10, search: 5 }, 'search', /string/],
  ['jobs/get', { jobId: 5 }, 'jobId', /must be a string/],
  ['jobs/get', { jobId: ['x'] }, 'jobId', /must be a string/],
  ['jobs/get', {}, 'jobId', /is required/],
  ['jobs/get', { jobId: 'a>b' }, 'jobId', /invalid job id "a>b": must not contain '\*' or '>'/],
  ['jobs/get', { jobId: 'x'.repeat(1000) }, 'jobId', /must be at most 256 characters \(got 1000\)/],
  ['jobs/get', { jobId: 'global' }, 'jobId', /reserved/],
  ['jobs/delete', { jobId: {} }, 'jobId', /must be a string/],
  ['jobs/timeline', { jobId: 'x', limit: 0 }, 'limit', /integer from 1 to 5000/],
  ['jobs/timeline', { jobId: 'x', limit: 5001 }, 'limit', /integer from 1 to 5000/],
  ['jobs/timeline', { jobId: 'x', afterSeq: -1 }, 'afterSeq', /integer from 0/],
  ['jobs/timeline', { jobId: 'x', beforeSeq: 1.5 }, 'beforeSeq', /integer/],
  ['jobs/timeline', { jobId: 'x', afterSeq: '3' }, 'afterSeq', /integer/],
  ['events/emit', { event: 'x' }, 'event', /must be an object/],
  ['events/emit', { event: { job_id: 'x', event_type: 'bogus_type' } }, 'event.event_type', /known event type/],
  ['events/emit', { event: { job_id: 42, event_type: 'started' } }, 'event.job_id', /must be a string/],
  ['events/emit', { event: { job_id: 'pinned', event_type: 'started', timestamp: 1e300 } }, 'event.timestamp', /epoch seconds/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started', timestamp: -5 } }, 'event.timestamp', /epoch seconds/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started', duration_ms: -1 } }, 'event.duration_ms', /from 0/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started', tags: { a: 1 } } }, 'event.tags.a', /must be a string/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started', nats_sequence: 5 } }, 'event.nats_sequence', /set by the stream/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started' }, shape: { kind: 'nope' } }, 'shape.kind', /one of basic/],
  ['events/emit', { event: { job_id: 'x', event_type: 'started' }, shape: { kind: 'worker' } }, 'shape.workerId', /is required/],
  ['events/emitLifecycle', { scenario: 'bogus' }, 'scenario', /sample scenario/],
  ['events/emitLifecycle', { scenario: 'success', jobId: 'a b' }, 'jobId', /whitespace/],
  ['tail/start', { types: ['bogus'] }, 'types[0]', /known event type/],
  ['tail/start', { types: 'failed' }, 'types', /must be an array/],
  ['tail/start', { pattern: 'a..b' }, 'pattern', /empty token/],
  ['tail/stop', { tailId: 7 }, 'tailId', /must be a string/],
  ['connection/connect', { ...valid, serverUrl: 5 }, 'serverUrl', /must be a string/],
  ['connection/connect', { ...valid, tailRateLimit: -1 }, 'tailRateLimit', /integer from 1/],
  ['connection/connect', { ...valid, secrets: { password: 1 } }, 'secrets.password', /must be a string/],
];

test('every request refuses hostile parameters with InvalidParams naming the field and the rule', async () => {
  for (const [method, params, field, rule] of hostile) {
    const what = `${method} ${JSON.stringify(params)}`;
    const error = await backend.rpc.sendRequest(method, params).then(
      () => assert.fail(`${what} was accepted`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ResponseError, what);
    assert.equal(error.code, -32602, `${what}: ${error.message}`);
    assert.ok(error.message.startsWith(`${method}: ${field}: `), `${what}: ${error.message}`);
    assert.match(error.message, rule, what);
    assert.doesNotMatch(error.message, /is not a function|TypeError|Cannot read|\.ts:\d|\.js:\d/, what);
  }
  // Refused means refused: nothing was stored, the backend still answers, and no job was pinned on top.
  assert.equal((await backend.rpc.sendRequest(StateRequest.type)).phase, 'connected');
  assert.equal(await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'pinned' }), null);
});

test('one job change is one notification carrying the job, so the views ask nothing more', async () => {
  const start = backend.changes.length;
  await backend.rpc.sendRequest(EmitRequest.type, { event: JobEvents.enqueued('ch-1', 'mail') });
  const change = await backend.until('the change naming ch-1', () => backend.changes.slice(start).find((c) => c.jobs.includes('ch-1')));
  // A later job's change is the fact that every notification about ch-1 has arrived.
  await backend.rpc.sendRequest(EmitRequest.type, { event: JobEvents.enqueued('ch-sentinel', 'mail') });
  await backend.until('the sentinel', () => backend.changes.slice(start).some((c) => c.jobs.includes('ch-sentinel')));
  const naming = backend.changes.slice(start).filter((c: IndexChange) => c.jobs.includes('ch-1'));
  assert.equal(naming.length, 1);
  const changed = changedJobs(change);
  assert.equal(changed.complete, true);
  assert.deepEqual(changed.jobs.get('ch-1'), await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'ch-1' }));
  assert.equal(changed.jobs.get('ch-1')?.queue, 'mail');
});

test('jobs/timeline pages newest first by the index sequences and counts what is older', async () => {
  const seqs: number[] = [];
  for (let i = 0; i < 12; i++) {
    seqs.push((await backend.rpc.sendRequest(EmitRequest.type, { event: { job_id: 'pg-1', event_type: 'started', message: `m${i}` } })).seq);
  }
  await backend.until('pg-1 indexed', async () => (await backend.rpc.sendRequest(GetJobRequest.type, { jobId: 'pg-1' }))?.eventCount === 12);
  const sequences = (t: { events: { nats_sequence: number | null }[] }): (number | null)[] => t.events.map((e) => e.nats_sequence);
  const newest = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'pg-1', limit: 5 });
  assert.deepEqual(sequences(newest), seqs.slice(7));
  assert.equal(newest.olderCount, 7);
  assert.equal(newest.source, 'index');
  assert.equal(newest.job?.eventCount, 12);
  const older = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'pg-1', limit: 5, beforeSeq: seqs[7] });
  assert.deepEqual(sequences(older), seqs.slice(2, 7));
  assert.equal(older.olderCount, 2);
  const live = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'pg-1', afterSeq: seqs[10] });
  assert.deepEqual(sequences(live), seqs.slice(11));
  const all = await backend.rpc.sendRequest(TimelineRequest.type, { jobId: 'pg-1' });
  assert.deepEqual(sequences(all), seqs);
  assert.equal(all.olderCount, 0);
});

test('while the NATS connection is lost, requests that need the stream fail at once and say why', async () => {
  const own = await NatsServer.start();
  const lonely = await BackendProcess.start(backendSettings({ serverUrl: own.url }));
  try {
    await lonely.untilPhase('connected');
    await lonely.rpc.sendRequest(EmitRequest.type, { event: JobEvents.enqueued('lo-1', 'mail') });
    await lonely.until('lo-1 indexed', async () => (await lonely.rpc.sendRequest(GetJobRequest.type, { jobId: 'lo-1' })) !== null);
    await own.stop();
    await lonely.untilPhase('disconnected');
    for (const [method, params] of [
      ['jobs/timeline', { jobId: 'x' }],
      ['events/emit', { event: { job_id: 'x', event_type: 'started' } }],
      ['tail/start', {}],
    ] as const) {
      await assert.rejects(lonely.rpc.sendRequest(method, params), (e: unknown) => {
        assert.ok(e instanceof ResponseError);
        assert.equal(e.code, -32803, e.message);
        assert.match(e.message, /^not connected to NATS: Lost the connection/);
        return true;
      });
    }
    // What the index holds still lists.
    assert.deepEqual((await lonely.rpc.sendRequest(ListJobsRequest.type, { offset: 0, limit: 10 })).items.map((j) => j.jobId), ['lo-1']);
  } finally {
    await lonely.stop();
    await own.dispose();
  }
});

test('contexts/list describes the NATS CLI contexts with their kinds of credentials, never their values', async () => {
  const config = mkdtempSync(join(tmpdir(), 'naq-contexts-'));
  const directory = join(config, 'nats', 'context');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'prod.json'), JSON.stringify({ description: 'Production', url: 'nats://alice:s3cret-pw@prod:4222', user: 'alice', password: 's3cret-pw', token: 'tok-SECRET' }));
  writeFileSync(join(directory, 'tls.json'), JSON.stringify({ url: 'tls://edge:4222', cert: '/c.pem', key: '/k.pem', creds: '/x.creds' }));
  writeFileSync(join(directory, 'broken.json'), '{ not json');
  writeFileSync(join(config, 'nats', 'context.txt'), 'prod');
  const lister = await BackendProcess.start(backendSettings({ serverUrl: server.url }), { XDG_CONFIG_HOME: config });
  try {
    const listing = await lister.rpc.sendRequest(ListContextsRequest.type);
    assert.equal(listing.directory, directory);
    assert.deepEqual(
      listing.contexts.map((c) => [c.name, c.selected, c.auth, c.url]),
      [
        ['broken', false, [], null],
        ['prod', true, ['user', 'password', 'token'], 'nats://***@prod:4222'],
        ['tls', false, ['creds', 'tls'], 'tls://edge:4222'],
      ],
    );
    assert.equal(listing.contexts[1]?.description, 'Production');
    assert.match(listing.contexts[0]?.problem ?? '', /./);
    assert.doesNotMatch(JSON.stringify(listing), /s3cret|SECRET|alice/);
  } finally {
    await lister.stop();
    rmSync(config, { recursive: true, force: true });
  }
});
