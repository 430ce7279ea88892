import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { addToStats, emptyStats, statsOf } from '../../server/src/analytics/jobAnalytics';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { IdHash, RowKeys } from '../../server/src/index/idHash';
import { IdPool } from '../../server/src/index/idPool';
import { fnv1a } from '../../server/src/util/stringHash';
import { JobIndex } from '../../server/src/index/jobIndex';
import { statusAfter } from '../../server/src/index/jobStatus';
import { loadSnapshot, saveSnapshot } from '../../server/src/index/snapshot';

const dir = mkdtempSync(join(tmpdir(), 'naq-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const STREAM = { name: 'NAQ_JOB_EVENTS', created: '2026-11-27T08:00:00Z' };

/** Events numbered as a stream would store them, from sequence `first`. */
function indexOf(events: JobEvent[], index = new JobIndex(), first = 1): JobIndex {
  events.forEach((event, i) => index.apply(recordFromEvent({ ...event, nats_sequence: first + i })));
  return index;
}

function lifecycle(jobId: string, queue: string, worker: string, outcome: 'completed' | 'failed', t: number): JobEvent[] {
  const end =
    outcome === 'completed'
      ? JobEvents.completed(jobId, worker, 12, { timestamp: t + 2 })
      : JobEvents.failed(jobId, worker, { name: 'ValueError', message: `bad input for ${jobId}` }, 12, 0, { timestamp: t + 2 });
  return [JobEvents.enqueued(jobId, queue, 0, { timestamp: t }), JobEvents.started(jobId, worker, 'async', { timestamp: t + 1, queue_name: queue }), end];
}

test('index: folds a job’s events into its status, attempts, times, error and sequences', () => {
  const index = indexOf([
    JobEvents.enqueued('j1', 'mail', 0, { timestamp: 100 }),
    JobEvents.started('j1', 'w1', 'async', { timestamp: 101 }),
    JobEvents.failed('j1', 'w1', { name: 'IOError', message: 'disk full' }, 5, 0, { timestamp: 102 }),
    JobEvents.retryStarted('j1', 'w2', 1, { timestamp: 103 }),
    JobEvents.maxRetriesExceeded('j1', 1, { timestamp: 104 }),
  ]);
  const job = index.get('j1');
  assert.ok(job);
  assert.equal(job.status, 'failed');
  assert.equal(job.queue, 'mail');
  assert.equal(job.worker, 'w2');
  assert.equal(job.attempts, 2);
  assert.equal(job.firstTime, 100);
  assert.equal(job.lastTime, 104);
  assert.equal(job.eventCount, 5);
  assert.deepEqual(job.sequences, [1, 2, 3, 4, 5]);
  assert.equal(job.lastEventType, 'max_retries_exceeded');
  // The failure without details keeps the error that caused it.
  assert.deepEqual(job.lastError, { type: 'IOError', message: 'disk full', eventType: 'failed', seq: 3 });
  assert.equal(index.get('nope'), undefined);
});

test('index: pages newest activity first, filters by queue, worker, status and text', () => {
  const events = [
    ...lifecycle('a', 'mail', 'w1', 'completed', 1),
    ...lifecycle('b', 'mail', 'w2', 'failed', 2),
    ...lifecycle('c', 'reports', 'w1', 'failed', 3),
  ];
  const index = indexOf(events);
  const ids = (query: Parameters<JobIndex['listJobs']>[0]) => index.listJobs(query).items.map((j) => j.jobId);
  assert.deepEqual(ids({ offset: 0, limit: 10 }), ['c', 'b', 'a']);
  assert.deepEqual(ids({ offset: 1, limit: 1 }), ['b']);
  assert.equal(index.listJobs({ offset: 0, limit: 1 }).total, 3);
  assert.deepEqual(ids({ offset: 0, limit: 10, queue: 'mail' }), ['b', 'a']);
  assert.deepEqual(ids({ offset: 0, limit: 10, worker: 'w1' }), ['c', 'a']);
  assert.deepEqual(ids({ offset: 0, limit: 10, status: 'failed' }), ['c', 'b']);
  assert.deepEqual(ids({ offset: 0, limit: 10, search: 'INPUT FOR B' }), ['b']);
  assert.deepEqual(ids({ offset: 0, limit: 10, queue: 'nowhere' }), []);
  assert.equal(index.listJobs({ offset: 1, limit: 10, status: 'failed' }).total, 2);

  // An event of the oldest job makes it the newest.
  indexOf([JobEvents.workerReleased('a', 'w1', { timestamp: 9 })], index, events.length + 1);
  assert.deepEqual(ids({ offset: 0, limit: 10 }), ['a', 'c', 'b']);
});

test('index: text search ignores case in ids and error messages, also for jobs added after a search', () => {
  const index = indexOf([...lifecycle('Report-A', 'q', 'w', 'completed', 1), ...lifecycle('mail-1', 'q', 'w', 'failed', 2)]);
  const found = (search: string) => index.listJobs({ offset: 0, limit: 10, search }).items.map((j) => j.jobId);
  assert.deepEqual(found('report-a'), ['Report-A']);
  assert.deepEqual(found('BAD INPUT FOR MAIL'), ['mail-1']);
  indexOf(lifecycle('Report-B', 'q', 'w', 'completed', 3), index, 7);
  assert.deepEqual(found('REPORT'), ['Report-B', 'Report-A']);
  index.removeJob('Report-A');
  assert.deepEqual(found('report'), ['Report-B']);
});

test('index: queue and worker counts follow each job’s status', () => {
  const index = indexOf([JobEvents.enqueued('a', 'mail', 0, { timestamp: 1 }), JobEvents.started('a', 'w1', 'async', { timestamp: 2, queue_name: 'mail' })]);
  assert.deepEqual(index.listQueues().map((q) => [q.name, q.counts, q.total]), [['mail', { running: 1 }, 1]]);
  indexOf([JobEvents.completed('a', 'w1', 3, { timestamp: 3 })], index, 3);
  assert.deepEqual(index.listQueues()[0]?.counts, { completed: 1 });
  assert.deepEqual(index.listWorkers().map((w) => [w.name, w.counts, w.total]), [['w1', { completed: 1 }, 1]]);
  index.removeJob('a');
  assert.deepEqual(index.listQueues(), []);
  assert.deepEqual(index.stats, emptyStats(), 'the stats count what the index holds');
  assert.deepEqual(index.listWorkers(), [], 'a worker whose jobs all went is listed no more, as in a fresh build');
  assert.equal(index.jobCount, 0);
});

test('index: an event type named like an Object.prototype member leaves the status as it was', () => {
  const index = indexOf([JobEvents.started('a', 'w1', 'async', { timestamp: 1 })]);
  indexOf(['toString', '__proto__', 'constructor'].map((type) => ({ ...JobEvents.workerReleased('a', 'w1', { timestamp: 2 }), event_type: type })), index, 2);
  assert.equal(index.get('a')?.status, 'running');
  assert.equal(statusAfter('running', 'hasOwnProperty'), 'running');
});

test('index: a page filtered by status, queue or worker stops at its last row and still says how many matched', () => {
  // Jobs move between statuses, queues and workers, the oldest are evicted and some lose events: the
  // counts that give the total must follow every move. A time range from 0 matches every job and
  // walks all of them, the way a page counted before: the oracle.
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const index = new JobIndex(300);
  const events: JobEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    const jobId = `job-${random(400)}`;
    const queue = `q${random(4)}`;
    const worker = `w${random(5)}`;
    const t = 1 + i;
    const pick = random(7);
    events.push(
      pick === 0
        ? JobEvents.enqueued(jobId, queue, 0, { timestamp: t })
        : pick === 1
          ? JobEvents.started(jobId, worker, 'async', { timestamp: t, queue_name: queue })
          : pick === 2
            ? JobEvents.completed(jobId, worker, 5, { timestamp: t })
            : pick === 3
              ? JobEvents.failed(jobId, worker, { name: 'ValueError', message: 'no' }, 5, 0, { timestamp: t })
              : pick === 4
                ? JobEvents.retryStarted(jobId, worker, 1, { timestamp: t, queue_name: queue })
                : pick === 5
                  ? JobEvents.queueMoved(jobId, queue, `q${random(4)}`, { timestamp: t })
                  : JobEvents.cancelled(jobId, null, { timestamp: t }),
    );
  }
  indexOf(events, index);
  index.forgetBelow(900);
  index.forgetSequences((seq) => seq % 11 === 0);
  const queries: Parameters<JobIndex['listJobs']>[0][] = [];
  for (const status of [undefined, 'queued', 'running', 'completed', 'failed', 'cancelled'] as const) {
    for (const group of [{}, { queue: 'q1' }, { queue: 'q3' }, { worker: 'w0' }, { worker: 'w4' }, { queue: 'nowhere' }, { worker: 'nobody' }]) {
      for (const [offset, limit] of [[0, 5], [3, 7], [0, 1000], [250, 10]] as const) queries.push({ offset, limit, ...group, ...(status ? { status } : {}) });
    }
  }
  let pagesWithJobs = 0;
  for (const query of queries) {
    const page = index.listJobs(query);
    const walked = index.listJobs({ ...query, activeFrom: 0 });
    assert.deepEqual(page.items.map((job) => job.jobId), walked.items.map((job) => job.jobId), JSON.stringify(query));
    assert.equal(page.total, walked.total, JSON.stringify(query));
    if (page.items.length > 0) pagesWithJobs++;
  }
  assert.ok(pagesWithJobs > queries.length / 4, `${pagesWithJobs} of ${queries.length} pages had jobs`);
});

test('index: evicts the least recently active job beyond maxJobs, with its counts', () => {
  const index = new JobIndex(2);
  indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'completed', 2)], index);
  indexOf([JobEvents.workerReleased('a', 'w', { timestamp: 5 })], index, 7);
  indexOf(lifecycle('c', 'q', 'w', 'failed', 6), index, 8);
  assert.deepEqual(index.listJobs({ offset: 0, limit: 10 }).items.map((j) => j.jobId), ['c', 'a']);
  assert.deepEqual(index.listQueues()[0]?.counts, { completed: 1, failed: 1 });
});

test('index: jobs let go at maxJobs are counted while the stream holds their newest event, across a snapshot made under the same limit', async () => {
  const index = new JobIndex(2);
  indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'completed', 2)], index);
  indexOf([JobEvents.workerReleased('a', 'w', { timestamp: 5 })], index, 7);
  assert.equal(index.jobsLeftOut, 0);
  indexOf(lifecycle('c', 'q', 'w', 'failed', 6), index, 8);
  assert.equal(index.jobsLeftOut, 1, 'b, whose newest event is #6, was let go');

  const file = join(dir, 'left-out.snapshot');
  await saveSnapshot(file, index, STREAM);
  const restored = await loadSnapshot(file, STREAM, 2);
  assert.ok(restored.loaded);
  assert.equal(restored.index.jobsLeftOut, 1);
  const otherLimit = await loadSnapshot(file, STREAM, 3);
  assert.deepEqual(otherLimit, { loaded: false, reason: "the index's job limit is now 3, not 2" });

  for (const each of [index, restored.index]) {
    each.forgetBelow(6);
    assert.equal(each.jobsLeftOut, 1, 'the stream still holds #6');
    each.forgetBelow(7);
    assert.equal(each.jobsLeftOut, 0, 'the stream holds nothing of b any more');
  }
  index.clear();
  indexOf(lifecycle('d', 'q', 'w', 'completed', 9), index, 11);
  assert.equal(index.jobsLeftOut, 0, 'a rebuild starts with none let go');
});

test('index: forgets expired and deleted sequences, and jobs left without any', () => {
  const index = indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'completed', 2)]);
  assert.equal(index.storedEventCount(), 6);
  assert.equal(index.forgetBelow(1), 0);
  assert.equal(index.forgetBelow(3), 2);
  assert.deepEqual(index.get('a')?.sequences, [3]);
  assert.equal(index.get('a')?.eventCount, 1);
  assert.equal(index.forgetBelow(3), 0, 'nothing is held below the first sequence any more');
  assert.equal(index.forgetBelow(4), 1);
  assert.equal(index.get('a'), undefined);
  assert.equal(index.forgetJobSequences('b', (seq) => seq === 5), 1);
  assert.deepEqual(index.get('b')?.sequences, [4, 6]);
  assert.equal(index.forgetSequences((seq) => seq === 6), 1);
  assert.deepEqual(index.get('b')?.sequences, [4]);
  assert.equal(index.storedEventCount(), 1);
  // Freed cells are reused without mixing jobs up.
  indexOf(lifecycle('c', 'q', 'w', 'failed', 3), index, 7);
  indexOf([JobEvents.workerReleased('b', 'w', { timestamp: 9 })], index, 10);
  assert.deepEqual(index.get('c')?.sequences, [7, 8, 9]);
  assert.deepEqual(index.get('b')?.sequences, [4, 10]);
});

test('snapshot: a saved index loads back the same, and only for the same stream', async () => {
  const events: JobEvent[] = [];
  for (let i = 0; i < 50; i++) events.push(...lifecycle(`job-${i}`, `queue-${i % 3}`, `worker-${i % 4}`, i % 5 === 0 ? 'failed' : 'completed', i));
  events.push(JobEvents.workerLifecycle('worker-1', 'worker_started', { timestamp: 70 }));
  const index = indexOf(events);
  index.removeJob('job-7');
  const file = join(dir, 'index.snapshot');
  await saveSnapshot(file, index, STREAM);

  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded, outcome.loaded ? '' : outcome.reason);
  const loaded = outcome.index;
  assert.deepEqual(loaded.listJobs({ offset: 0, limit: 100 }), index.listJobs({ offset: 0, limit: 100 }));
  assert.deepEqual(loaded.get('job-10'), index.get('job-10'));
  assert.deepEqual(loaded.listQueues(), index.listQueues());
  assert.deepEqual(loaded.listWorkers(), index.listWorkers());
  assert.deepEqual(loaded.stats, index.stats);
  assert.equal(loaded.lastSeq, index.lastSeq);
  assert.equal(loaded.storedEventCount(), index.storedEventCount());
  // Its followers hear of the restored jobs as one reset, and of those with an error by id.
  assert.deepEqual(loaded.takeChanges(), { reset: true, jobs: new Set(), queues: new Set(), workers: new Set(), failed: [] });
  assert.deepEqual([...loaded.jobsWithError()].sort(), [...index.jobsWithError()].sort());
  assert.deepEqual([...loaded.jobsWithError()].sort(), ['job-0', 'job-10', 'job-15', 'job-20', 'job-25', 'job-30', 'job-35', 'job-40', 'job-45', 'job-5']);
  // It goes on from where it was.
  indexOf([JobEvents.workerReleased('job-0', 'worker-0', { timestamp: 99 })], loaded, index.lastSeq + 1);
  assert.equal(loaded.listJobs({ offset: 0, limit: 1 }).items[0]?.jobId, 'job-0');

  const other = await loadSnapshot(file, { ...STREAM, created: '2026-11-28T00:00:00Z' });
  assert.deepEqual(other, { loaded: false, reason: 'the stream was recreated since the snapshot' });
  assert.deepEqual(await loadSnapshot(join(dir, 'missing'), STREAM), { loaded: false, reason: 'no snapshot yet' });
});

test('snapshot: ids past ASCII, those kept as bytes and those kept apart, load back and are found', async () => {
  // 'café-Ü' fits a byte a character; 'résumé-Δ' and a 70,000-character id are kept as strings.
  const long = `${'k'.repeat(70_000)}-end`;
  const ids = ['café-Ü', 'résumé-Δ', long, 'plain'];
  const index = indexOf(ids.flatMap((id, i) => lifecycle(id, 'q', 'w', 'completed', i)));
  const file = join(dir, 'wide-ids.snapshot');
  await saveSnapshot(file, index, STREAM);
  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded, outcome.loaded ? '' : outcome.reason);
  const loaded = outcome.index;
  assert.deepEqual(loaded.listJobs({ offset: 0, limit: 10 }).items.map((job) => job.jobId), [...ids].reverse());
  for (const id of ids) assert.equal(loaded.get(id)?.jobId, id);
  assert.deepEqual(loaded.listJobs({ offset: 0, limit: 10, search: 'é-δ' }).items.map((job) => job.jobId), ['résumé-Δ']);
  assert.deepEqual(loaded.listJobs({ offset: 0, limit: 10, search: 'café-ü' }).items.map((job) => job.jobId), ['café-Ü']);
  assert.deepEqual(loaded.listJobs({ offset: 0, limit: 10, search: 'k-end' }).items.map((job) => job.jobId), [long]);
});

test('snapshot: saves at the same time leave one whole snapshot', async () => {
  const file = join(dir, 'race.snapshot');
  const small = indexOf(lifecycle('a', 'q', 'w', 'completed', 1));
  const events: JobEvent[] = [];
  for (let i = 0; i < 2_000; i++) events.push(...lifecycle(`job-${i}`, 'q', 'w', 'completed', i));
  const large = indexOf(events);
  await Promise.all([saveSnapshot(file, large, STREAM), saveSnapshot(file, small, STREAM), saveSnapshot(file, large, STREAM)]);
  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded, outcome.loaded ? '' : outcome.reason);
  assert.ok([1, 2_000].includes(outcome.index.jobCount), `${outcome.index.jobCount} jobs`);
});

/** A snapshot's file for `body`: the body and its checksum, as `saveSnapshot` writes them. */
function sealed(body: Buffer): Buffer {
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** The file with its checksum left out. */
function bodyOf(file: Buffer): Buffer {
  return file.subarray(0, file.length - 32);
}

/** The job ids as a snapshot ends with them: how each is kept (its length plus one), then their bytes. */
function idsPart(ids: readonly string[]): Buffer {
  return Buffer.concat([Buffer.from(Uint16Array.from(ids, (id) => id.length + 1).buffer), Buffer.from(ids.join(''), 'latin1')]);
}

/** Where the job ids start in a snapshot of the jobs `ids`. */
function idsStart(file: Buffer, ids: readonly string[]): number {
  return bodyOf(file).length - idsPart(ids).length;
}

/** The snapshot of the jobs `was` with the ids `ids` in their place. */
function withIds(file: Buffer, was: readonly string[], ids: readonly string[]): Buffer {
  assert.deepEqual(bodyOf(file).subarray(idsStart(file, was)), idsPart(was));
  return sealed(Buffer.concat([bodyOf(file).subarray(0, idsStart(file, was)), idsPart(ids)]));
}

/** The snapshot file with its JSON header changed by `change`. */
function withHeader(file: Buffer, change: (header: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const bytes = bodyOf(file);
  const headerLength = bytes.readUInt32LE(0);
  const altered = Buffer.from(JSON.stringify(change(JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as Record<string, unknown>)));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(altered.length);
  // Columns start 8-byte aligned: keep the header's length modulo 8.
  const pad = Buffer.alloc((8 - ((4 + altered.length) % 8)) % 8);
  return sealed(Buffer.concat([length, altered, pad, bytes.subarray(4 + headerLength + ((8 - ((4 + headerLength) % 8)) % 8))]));
}

/** Saves `index` to `file`: the file's bytes, and its error column as the table writes it and where it starts in them. */
async function savedErrorColumn(file: string, index: JobIndex): Promise<{ bytes: Buffer; at: number; column: Buffer }> {
  await saveSnapshot(file, index, STREAM);
  const bytes = readFileSync(file);
  const column = Buffer.from(index.table.view().errors.entries.buffer.slice(0));
  const at = bytes.indexOf(column);
  assert.ok(at > 0, 'the error column is in the file');
  return { bytes, at, column };
}

test('snapshot: a cut-short or garbled file is refused with the reason, never half loaded', async () => {
  const file = join(dir, 'cut.snapshot');
  await saveSnapshot(file, indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'completed', 2)]), STREAM);
  const bytes = readFileSync(file);
  writeFileSync(file, withIds(bytes, ['a', 'b'], ['a', 'a']));
  const twice = await loadSnapshot(file, STREAM);
  assert.match(twice.loaded ? '' : twice.reason, /unreadable snapshot: job a appears twice/);
  writeFileSync(file, withHeader(bytes, (h) => ({ ...h, sequences: (h.sequences as number) - 1 })));
  const inconsistent = await loadSnapshot(file, STREAM);
  assert.match(inconsistent.loaded ? '' : inconsistent.reason, /unreadable snapshot: the jobs count 6 sequences, the file holds 5/);
  // The errors' numbers are a binary column: found in the file as the table writes them, then changed there.
  const errorFile = join(dir, 'errors.snapshot');
  const { bytes: withError, at, column } = await savedErrorColumn(errorFile, indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'failed', 2)]));
  assert.equal(column.length, 5 * 8, 'one error');
  writeFileSync(file, withHeader(withError, (h) => ({ ...h, errorTexts: ['ValueError'] })));
  const unknownText = await loadSnapshot(file, STREAM);
  assert.match(unknownText.loaded ? '' : unknownText.reason, /unreadable snapshot: an error text number out of range/);
  const noJobBody = Buffer.from(bodyOf(withError));
  noJobBody.writeDoubleLE(5, at);
  writeFileSync(file, sealed(noJobBody));
  const noJob = await loadSnapshot(file, STREAM);
  assert.match(noJob.loaded ? '' : noJob.reason, /unreadable snapshot: an error of no job/);
  // Two errors of one job: the load places each error by its job, and the second would leave the first's behind.
  const { bytes: withErrors, at: twoAt, column: twoEntries } = await savedErrorColumn(errorFile, indexOf([...lifecycle('a', 'q', 'w', 'failed', 1), ...lifecycle('b', 'q', 'w', 'failed', 2)]));
  assert.equal(twoEntries.length, 10 * 8, 'two errors');
  const twiceBody = Buffer.from(bodyOf(withErrors));
  twiceBody.writeDoubleLE(twoEntries.readDoubleLE(0), twoAt + 5 * 8);
  writeFileSync(file, sealed(twiceBody));
  const errorTwice = await loadSnapshot(file, STREAM);
  assert.match(errorTwice.loaded ? '' : errorTwice.reason, /unreadable snapshot: two errors of the job at position 0/);
  writeFileSync(file, withHeader(withError, (h) => ({ ...h, errors: 1e12 })));
  const tooMany = await loadSnapshot(file, STREAM);
  assert.match(tooMany.loaded ? '' : tooMany.reason, /unreadable snapshot: the error column is cut short/);
  writeFileSync(file, withIds(bytes, ['a', 'b'], ['a']));
  const missing = await loadSnapshot(file, STREAM);
  assert.match(missing.loaded ? '' : missing.reason, /unreadable snapshot: the job id column is cut short/);
  writeFileSync(file, sealed(bodyOf(bytes).subarray(0, bodyOf(bytes).length - 1)));
  const cutIds = await loadSnapshot(file, STREAM);
  assert.match(cutIds.loaded ? '' : cutIds.reason, /unreadable snapshot: the job id text is cut short/);
  const noId = Buffer.from(bodyOf(bytes));
  noId.writeUInt16LE(0, idsStart(bytes, ['a', 'b']) + 2);
  writeFileSync(file, sealed(noId));
  const unnamed = await loadSnapshot(file, STREAM);
  assert.match(unnamed.loaded ? '' : unnamed.reason, /unreadable snapshot: job 1 has no id/);
  writeFileSync(file, withHeader(bytes, (h) => ({ ...h, wideIds: [[1, 'b']] })));
  const apart = await loadSnapshot(file, STREAM);
  assert.match(apart.loaded ? '' : apart.reason, /unreadable snapshot: ids kept apart for jobs that have their bytes/);
  writeFileSync(file, sealed(bodyOf(bytes).subarray(0, idsStart(bytes, ['a', 'b']) - 4)));
  const cut = await loadSnapshot(file, STREAM);
  assert.equal(cut.loaded, false);
  assert.match(cut.loaded ? '' : cut.reason, /unreadable snapshot: the sequences column is cut short/);
  writeFileSync(file, sealed(Buffer.from('{"version":2}')));
  const garbled = await loadSnapshot(file, STREAM);
  assert.match(garbled.loaded ? '' : garbled.reason, /unreadable snapshot/);
});

test('snapshot: one flipped bit anywhere, the end included, or a cut is refused by the checksum', async () => {
  const file = join(dir, 'flipped.snapshot');
  const events: JobEvent[] = [];
  for (let i = 0; i < 20; i++) events.push(...lifecycle(`job-${i}`, 'q', 'w', i % 4 === 0 ? 'failed' : 'completed', i));
  await saveSnapshot(file, indexOf(events), STREAM);
  const bytes = readFileSync(file);
  assert.ok((await loadSnapshot(file, STREAM)).loaded);
  const positions = [0, 3, 4, 17, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 33, bytes.length - 32, bytes.length - 2, bytes.length - 1];
  for (const position of positions) {
    for (const bit of [0, 7]) {
      const flipped = Buffer.from(bytes);
      flipped[position] = (flipped[position] as number) ^ (1 << bit);
      writeFileSync(file, flipped);
      const outcome = await loadSnapshot(file, STREAM);
      assert.equal(outcome.loaded, false, `bit ${bit} of byte ${position} of ${bytes.length} flipped`);
      assert.match(outcome.loaded ? '' : outcome.reason, /unreadable snapshot: the checksum does not verify/);
    }
  }
  writeFileSync(file, bytes.subarray(0, bytes.length - 1));
  const cut = await loadSnapshot(file, STREAM);
  assert.match(cut.loaded ? '' : cut.reason, /the checksum does not verify/);
});

/** The keys of ids held in a plain array, as the table's id pool gives them. */
function keysOf(ids: readonly string[]): RowKeys {
  return { hashOf: (row) => fnv1a(ids[row] as string), matches: (row, id) => ids[row] === id };
}

test('id hash: finds every id through growth, removals and reuse of freed buckets', () => {
  const ids: string[] = [];
  const hash = new IdHash(keysOf(ids));
  for (let row = 0; row < 10_000; row++) {
    ids.push(`job-${row}`);
    hash.insert(`job-${row}`, row);
  }
  for (let row = 0; row < 10_000; row += 2) hash.remove(`job-${row}`);
  for (let row = 0; row < 10_000; row += 4) {
    ids[row] = `again-${row}`;
    hash.insert(`again-${row}`, row);
  }
  assert.equal(hash.size, 7_500);
  for (let row = 0; row < 10_000; row++) {
    if (row % 4 === 0) assert.equal(hash.find(`again-${row}`), row);
    assert.equal(hash.find(`job-${row}`), row % 2 === 1 ? row : undefined, `job-${row}`);
  }
});

test('snapshot: ids that its id table does not place where they stand are refused, in a table too large to look every one up', async () => {
  const file = join(dir, 'misplaced.snapshot');
  const events: JobEvent[] = [];
  for (let j = 0; j < 20_000; j++) events.push(...lifecycle(`job-${j}`, 'q', 'w', 'completed', j));
  await saveSnapshot(file, indexOf(events), STREAM);
  const bytes = readFileSync(file);
  // What a reader whose id hash differs from the writer's would see: every id elsewhere than its table says.
  const ids = Array.from({ length: 20_000 }, (_, j) => `job-${j}`);
  writeFileSync(file, withIds(bytes, ids, ids.map((id) => `${id}.`)));
  const misplaced = await loadSnapshot(file, STREAM);
  assert.match(misplaced.loaded ? '' : misplaced.reason, /unreadable snapshot: job job-\d+\. is missing from the id table/);
  writeFileSync(file, withIds(bytes, ids, ids));
  assert.ok((await loadSnapshot(file, STREAM)).loaded);
});

test('snapshot: one of another stream or job limit is refused by its header, its body not read; a header changed since it was written fails the checksum', async () => {
  const file = join(dir, 'header.snapshot');
  await saveSnapshot(file, indexOf([...lifecycle('a', 'q', 'w', 'completed', 1), ...lifecycle('b', 'q', 'w', 'failed', 2)]), STREAM);
  const bytes = readFileSync(file);
  // The body after the header made unreadable, the checksum made to match: the header's verdict stands.
  const headerEnd = 4 + bytes.readUInt32LE(0);
  writeFileSync(file, sealed(Buffer.concat([bytes.subarray(0, headerEnd), Buffer.alloc(bodyOf(bytes).length - headerEnd, 0xff)])));
  assert.deepEqual(await loadSnapshot(file, { ...STREAM, created: '2026-11-28T00:00:00Z' }), { loaded: false, reason: 'the stream was recreated since the snapshot' });
  assert.deepEqual(await loadSnapshot(file, STREAM, 7), { loaded: false, reason: "the index's job limit is now 7, not 2000000" });
  const garbled = await loadSnapshot(file, STREAM);
  assert.match(garbled.loaded ? '' : garbled.reason, /^unreadable snapshot: /);

  // A header that names another stream, written over the original without its checksum.
  writeFileSync(file, bytes);
  assert.ok((await loadSnapshot(file, STREAM)).loaded);
  const edited = Buffer.from(bytes);
  edited.write('2026-11-28T00:00:00Z', bytes.indexOf(Buffer.from(STREAM.created)));
  writeFileSync(file, edited);
  assert.deepEqual(await loadSnapshot(file, { ...STREAM, created: '2026-11-28T00:00:00Z' }), { loaded: false, reason: 'unreadable snapshot: the checksum does not verify (the file was changed or cut short)' });
  assert.deepEqual(await loadSnapshot(file, STREAM), { loaded: false, reason: 'unreadable snapshot: the checksum does not verify (the file was changed or cut short)' });
});

test('id pool: ids come back as they went in, hash as their strings do, and survive the packing of removed ones', () => {
  const pool = new IdPool();
  // Hex ids as NAQ makes them, ids with characters past a byte, one as long as a page, an empty one.
  const idOf = (row: number): string =>
    row % 97 === 0 ? `résumé-Δ-${row}` : row % 9973 === 1 ? `${'x'.repeat(70_000)}${row}` : row === 5 ? '' : createHash('md5').update(String(row)).digest('hex');
  const held = new Map<number, string>();
  for (let row = 0; row < 80_000; row++) {
    pool.set(row, idOf(row));
    held.set(row, idOf(row));
  }
  // Enough removed to pack the pool: its freed bytes outweigh the live ones past 1 MB.
  for (let row = 0; row < 80_000; row++) {
    if (row % 3 === 0) continue;
    pool.remove(row);
    held.delete(row);
  }
  for (let row = 0; row < 80_000; row += 6) {
    pool.set(row + 1, `again-${row}`);
    held.set(row + 1, `again-${row}`);
  }
  for (let row = 0; row < 80_000; row++) {
    const id = held.get(row);
    assert.equal(pool.has(row), id !== undefined, `row ${row}`);
    if (id === undefined) continue;
    assert.equal(pool.get(row), id);
    assert.equal(pool.hashOf(row), fnv1a(id));
    assert.ok(pool.matches(row, id));
    assert.ok(!pool.matches(row, `${id}.`) && !pool.matches(row, id.slice(1)));
  }
});

test('id pool: loaded ids that fill a page to its last byte, then an empty one, read back, are found and take new ids after them', () => {
  // 16 ids of 4,096 bytes fill a page exactly: the empty id after them starts the next page, not byte 65,536 of this one.
  const ids = [...Array.from({ length: 16 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(4_094)}`), '', 'Tail-Δ', 'tail'];
  const source = new IdPool();
  ids.forEach((id, row) => source.set(row, id));
  const lengths = Uint16Array.from(ids, (_, row) => source.lengthCodeOf(row));
  const bytes = new Uint8Array(ids.reduce((sum, id) => sum + id.length, 0));
  let written = 0;
  ids.forEach((_, row) => (written = source.copyInto(row, bytes, written)));
  const wide = new Map(ids.flatMap((_, row) => (source.wideId(row) === undefined ? [] : [[row, source.wideId(row) as string] as const])));
  const pool = new IdPool();
  let read = 0;
  pool.load(lengths, wide, (into) => {
    into.set(bytes.subarray(read, read + into.length));
    read += into.length;
  });
  assert.equal(read, written);
  pool.set(ids.length, 'after-load');
  const all = [...ids, 'after-load'];
  all.forEach((id, row) => assert.equal(pool.get(row), id, `row ${row}`));
  const found = (term: string): number[] => {
    const rows: number[] = [];
    pool.search(term, (row) => rows.push(row));
    return rows.sort((a, b) => a - b);
  };
  assert.deepEqual(found('tail'), [17, 18]);
  assert.deepEqual(found('15a'), [15]);
  assert.deepEqual(found('after'), [19]);
});

test('id hash: a saved table that cannot be one is refused', () => {
  const ids = ['a', 'b'];
  const hash = new IdHash(keysOf(ids));
  const full = new Int32Array(16).fill(0);
  assert.throws(() => hash.load(new Int32Array(12).fill(-1), 0, 2), /an id table of 12 buckets/);
  assert.throws(() => hash.load(Int32Array.from({ length: 16 }, (_, i) => (i === 3 ? 7 : -1)), 1, 2), /out of range/);
  assert.throws(() => hash.load(full, 16, 2), /listing row 0 twice/);
  // Each row once: a row listed twice leaves another unlisted, whatever the count says.
  assert.throws(() => hash.load(Int32Array.from({ length: 16 }, (_, i) => (i === 2 || i === 9 ? 1 : -1)), 2, 2), /listing row 1 twice/);
  assert.throws(() => hash.load(new Int32Array(16).fill(-1), 2, 2), /with 0 of 2 jobs/);
});

test('index: stats count jobs, as the trees do, and a reader of events (the CLI) counts alike', () => {
  const events: JobEvent[] = [
    JobEvents.enqueued('s1', 'mail', 0, { timestamp: 1 }),
    JobEvents.started('s1', 'w1', 'async', { timestamp: 2 }),
    JobEvents.failed('s1', 'w1', { name: 'ValueError', message: 'boom' }, 5, 0, { timestamp: 3 }),
    JobEvents.started('s1', 'w1', 'async', { timestamp: 4 }),
    JobEvents.failed('s1', 'w1', { name: 'ValueError', message: 'boom' }, 5, 1, { timestamp: 5 }),
    JobEvents.enqueued('s2', 'mail', 0, { timestamp: 6 }),
    JobEvents.started('s2', 'w2', 'async', { timestamp: 7 }),
    JobEvents.completed('s2', 'w2', 40, { timestamp: 8 }),
    JobEvents.enqueued('s3', 'bulk', 0, { timestamp: 9 }),
    JobEvents.started('s3', 'w2', 'async', { timestamp: 10 }),
    JobEvents.completed('s4', 'w3', 20, { timestamp: 11 }),
  ].map((event, i) => ({ ...event, nats_sequence: i + 1 }));
  const index = JobIndex.of(events);
  const expected = {
    jobsStarted: 3,
    jobsRunning: 1,
    jobsCompleted: 2,
    jobsFailed: 1,
    totalDurationMs: 60,
    averageDurationMs: 30,
    workerUsage: { w1: 1, w2: 2, w3: 1 },
    queueUsage: { bulk: 1, mail: 2 },
    eventsSeen: 11,
  };
  assert.deepEqual(index.stats, expected);
  assert.equal(index.stats.jobsRunning, index.listJobs({ offset: 0, limit: 10, status: 'running' }).total, 'started, no outcome yet = running jobs');
  assert.equal(index.stats.jobsFailed, index.listJobs({ offset: 0, limit: 10, status: 'failed' }).total);
  const cli = emptyStats();
  for (const event of events) addToStats(cli, event);
  assert.deepEqual(cli, expected);
  assert.deepEqual(statsOf(events), expected);
  index.forgetSequences((seq) => seq <= 5);
  assert.deepEqual(index.stats, statsOf(events.slice(5)), 'a job whose events are gone no longer counts');
});

test('index: an undecodable payload on a job subject is held but changes no status', () => {
  const index = indexOf([JobEvents.started('u1', 'w1', 'async', { timestamp: 1 })]);
  index.apply({ ...recordFromEvent({ ...JobEvents.failed('u1', 'w1', { name: 'E', message: 'm' }, 1, 0, { timestamp: 2 }), nats_sequence: 2 }), decoded: false });
  index.apply({ ...recordFromEvent({ ...JobEvents.failed('u2', 'w1', { name: 'E', message: 'm' }, 1, 0, { timestamp: 3 }), nats_sequence: 3 }), decoded: false });
  assert.equal(index.get('u1')?.status, 'running');
  assert.deepEqual(index.get('u1')?.sequences, [1, 2], 'the timeline shows it as a problem at its sequence');
  assert.equal(index.get('u2')?.status, 'unknown');
  assert.equal(index.stats.jobsFailed, 0);
});

test('index: a worker lists every job it ran an attempt of, through a snapshot and until the job goes', async () => {
  const index = indexOf([
    JobEvents.enqueued('r1', 'q', 0, { timestamp: 1 }),
    JobEvents.started('r1', 'w1', 'async', { timestamp: 2 }),
    JobEvents.failed('r1', 'w1', { name: 'E', message: 'm' }, 1, 0, { timestamp: 3 }),
    JobEvents.started('r1', 'w2', 'async', { timestamp: 4 }),
    JobEvents.failed('r1', 'w2', { name: 'E', message: 'm' }, 1, 1, { timestamp: 5 }),
    JobEvents.started('r1', 'w1', 'async', { timestamp: 6 }),
    JobEvents.completed('r1', 'w1', 7, { timestamp: 7 }),
    JobEvents.started('r2', 'w2', 'async', { timestamp: 8 }),
  ]);
  const workers = (i: JobIndex): unknown => i.listWorkers().map((w) => [w.name, w.counts, w.total]);
  const expected = [
    ['w1', { completed: 1 }, 1],
    ['w2', { completed: 1, running: 1 }, 2],
  ];
  assert.deepEqual(workers(index), expected);
  assert.deepEqual(index.listJobs({ offset: 0, limit: 10, worker: 'w2' }).items.map((j) => j.jobId), ['r2', 'r1']);
  assert.deepEqual(index.listJobs({ offset: 0, limit: 10, worker: 'w1' }).items.map((j) => j.jobId), ['r1']);
  assert.deepEqual(index.stats.workerUsage, { w1: 1, w2: 2 });
  const file = join(dir, 'workers.snapshot');
  await saveSnapshot(file, index, STREAM);
  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded);
  assert.deepEqual(workers(outcome.index), expected);
  assert.deepEqual(outcome.index.listJobs({ offset: 0, limit: 10, worker: 'w2' }).total, 2);
  outcome.index.removeJob('r1');
  assert.deepEqual(workers(outcome.index), [['w2', { running: 1 }, 1]], 'w1 ran no job the index still holds');
});

test('index: a job that lost its oldest events is stale until built again from the rest, through a snapshot too', async () => {
  const events = [...lifecycle('s1', 'mail', 'w1', 'completed', 10), JobEvents.retryScheduled('s1', 1, 5, { timestamp: 20 })];
  const index = indexOf(events);
  index.forgetBelow(3);
  assert.deepEqual(index.staleJobs(), [{ jobId: 's1', seqs: [3, 4] }]);
  const file = join(dir, 'stale.snapshot');
  await saveSnapshot(file, index, STREAM);
  const outcome = await loadSnapshot(file, STREAM);
  assert.ok(outcome.loaded);
  assert.deepEqual(outcome.index.staleJobs(), [{ jobId: 's1', seqs: [3, 4] }], 'the snapshot keeps which jobs are stale');
  const rest = events.slice(2).map((event, i) => recordFromEvent({ ...event, nats_sequence: 3 + i }));
  assert.equal(outcome.index.rebuildJob('s1', rest.slice(1)), false, 'records that are not the sequences held are refused');
  assert.equal(outcome.index.rebuildJob('s1', rest), true);
  const fresh = indexOf(events.slice(2), new JobIndex(), 3);
  assert.deepEqual(outcome.index.get('s1'), fresh.get('s1'));
  assert.deepEqual(outcome.index.stats, fresh.stats);
  assert.deepEqual(outcome.index.listQueues(), fresh.listQueues());
  assert.deepEqual(outcome.index.listWorkers(), fresh.listWorkers());
  assert.deepEqual(outcome.index.staleJobs(), []);
});
