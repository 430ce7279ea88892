/**
 * The library as another program would use it: everything through its one entry point (server/src/library),
 * against a real nats-server. A logger stores a lifecycle, a live processor sees it in order, storage reads
 * it back, and the codec and subjects agree with what the stream holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import {
  AsyncJobEventLogger,
  decodeEvent,
  encodeEvent,
  EventProcessor,
  EventStorage,
  JobEvent,
  JobEvents,
  JobEventType,
  parseSubject,
} from '../../server/src/library';
import { NatsServer } from '../support/natsServer';
import { waitFor } from '../support/processorFixture';
import { PREFIX, STREAM } from '../support/storageFixture';

test('one entry point: log, process and read a job\'s lifecycle, and decode what the stream holds', { timeout: 60_000 }, async () => {
  const server = await NatsServer.start();
  const storage = await EventStorage.open({
    connection: { servers: server.url },
    streamName: STREAM,
    subjectPrefix: PREFIX,
    timeoutMs: 5_000,
  });
  const seen: JobEvent[] = [];
  const processor = new EventProcessor(storage.session, { stopTimeoutMs: 2_000 });
  const logger = new AsyncJobEventLogger(storage.session, { batchSize: 3 });
  try {
    processor.addGlobalHandler((event) => void seen.push(event));
    await processor.start();
    logger.start();
    await logger.logJobEnqueued('lib-1', 'billing');
    await logger.logJobStarted('lib-1', 'worker-1', 'python', { queue_name: 'billing' });
    await logger.logJobCompleted('lib-1', 'worker-1', 120, { queue_name: 'billing' });
    const report = await logger.stop();
    assert.equal(report.stored, 3);
    assert.deepEqual(report.notStored, []);

    await waitFor(() => seen.length >= 3, 'the processor to see the lifecycle');
    assert.deepEqual(seen.map((e) => e.event_type), [JobEventType.ENQUEUED, JobEventType.STARTED, JobEventType.COMPLETED]);

    const history = await storage.jobEvents('lib-1');
    assert.deepEqual(history.errors, []);
    assert.deepEqual(history.events.map((e) => e.nats_sequence), seen.map((e) => e.nats_sequence));
    const completed = history.events[2];
    assert.equal(completed.duration_ms, 120);
    assert.equal(parseSubject(PREFIX, completed.nats_subject ?? '')?.jobId, 'lib-1');

    const roundTrip = decodeEvent(encodeEvent(JobEvents.failed('lib-2', 'worker-1', { name: 'ValueError', message: 'boom' }, 15)));
    assert.equal(roundTrip.error_type, 'ValueError');
  } finally {
    await processor.stop();
    await storage.close();
    await server.dispose();
  }
});

test('the entry point bundles without VS Code or the language server', async () => {
  const root = join(__dirname, '../..');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['server/src/library.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: ['protobufjs/minimal'],
  });
  const inputs = Object.keys(result.metafile.inputs);
  const foreign = inputs.filter((input) => /node_modules\/(vscode-languageserver|vscode-languageclient|vscode-jsonrpc)\/|^(client|media)\/|server\/src\/(backend|index|language|protocol)\//.test(input));
  assert.deepEqual(foreign, []);
});
