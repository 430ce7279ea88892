import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { recordFromEvent } from '../../server/src/index/indexRecord';
import { IdPool } from '../../server/src/index/idPool';
import { JobIndex } from '../../server/src/index/jobIndex';
import { errorText, SearchText } from '../../server/src/index/searchText';
import { loadSnapshot, saveSnapshot } from '../../server/src/index/snapshot';

const snapshots = mkdtempSync(path.join(tmpdir(), 'naq-search-snapshot-'));
after(() => rmSync(snapshots, { recursive: true, force: true }));

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Few letters, so that terms hit often and across every boundary; among them letters whose lower case
 * is longer ('İ') or depends on the next letter ('Σ'), and the character that ends a segment's parts.
 */
const LETTERS = ['a', 'B', 'c', '-', ' ', 'İ', 'Σ', 'é', '\u0000', '\u0001'];

function word(next: () => number, most: number): string {
  const length = Math.floor(next() * (most + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += LETTERS[Math.floor(next() * LETTERS.length)];
  return text;
}

function matches(term: string, parts: readonly (string | null)[]): boolean {
  return parts.some((part) => part?.toLowerCase().includes(term) ?? false);
}

/** Zero to three parts, some of them missing. */
function randomParts(next: () => number): (string | null)[] {
  return Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.3 ? null : word(next, 6)));
}

test('search text: marks exactly the rows one of whose current parts holds the term, and counts them, over random changes and rebuilds', () => {
  for (const seed of [1, 2, 3]) {
    const next = random(seed);
    const parts: (string | null)[][] = [];
    const live = new Set<number>();
    const text = new SearchText((row) => parts[row] ?? [], () => live);
    const rows = 300;
    for (let step = 0; step < 40_000; step++) {
      const row = Math.floor(next() * rows);
      const roll = next();
      if (roll < 0.0002) {
        text.clear();
        live.clear();
      } else if (roll < 0.0006) {
        // As after a load: the rows stay, their text is taken in again at the next search.
        text.rebuildLater();
      } else if (!live.has(row)) {
        // Short, so that thousands of segments are appended between rebuilds: several chunks of them.
        parts[row] = randomParts(next);
        live.add(row);
        text.set(row);
      } else if (roll < 0.3) {
        live.delete(row);
        text.remove(row);
      } else {
        parts[row] = randomParts(next);
        text.set(row);
      }
      if (step % 50 === 0) {
        const term = word(next, 3).toLowerCase();
        const found = text.search(term);
        let matched = 0;
        for (const r of live) {
          const hit = matches(term, parts[r] ?? []);
          assert.equal(text.marks[r] === found, hit, `seed ${seed} step ${step}: row ${r} for ${JSON.stringify(term)}`);
          if (hit) matched++;
        }
        assert.equal(text.found, matched, `seed ${seed} step ${step}: rows found for ${JSON.stringify(term)}`);
      }
    }
  }
});

test('search text: every row with a part matches the empty term, and a term never matches across a row’s parts or rows', () => {
  const parts = [['ab', 'gh'], [], [null, 'İx'], ['x\u0000y', 'z'], [null]];
  const text = new SearchText((row) => parts[row] ?? [], () => parts.keys());
  parts.forEach((_, row) => text.set(row));
  const rows = (term: string) => {
    const found = text.search(term);
    return parts.map((_, row) => row).filter((row) => text.marks[row] === found);
  };
  assert.deepEqual(rows(''), [0, 2, 3]);
  assert.deepEqual(rows('bg'), [], 'not across two parts');
  assert.deepEqual(rows('hi̇'), [], 'not across two rows');
  assert.deepEqual(rows('gh'), [0]);
  assert.deepEqual(rows('i̇x'), [2]);
  assert.deepEqual(rows('x\u0000y'), [3]);
  assert.deepEqual(rows('\u0000'), [3]);
  assert.deepEqual(rows('y\u0000z'), []);
  text.remove(0);
  text.clear();
  assert.deepEqual(rows('a'), []);
});

test('search text: a row found many searches ago is not taken as found again', () => {
  const ids = ['a', 'b'];
  const text = new SearchText((row) => [ids[row] as string], () => ids.keys());
  ids.forEach((_, row) => text.set(row));
  text.search('a');
  for (let i = 0; i < 1000; i++) {
    const found = text.search('b');
    assert.notEqual(text.marks[0], found, `search ${i}`);
  }
});

test('id pool: a search finds exactly the ids that hold the term in lower case, over many pages, removals, reuse and packing', () => {
  const next = random(5);
  const pool = new IdPool();
  const held = new Map<number, string>();
  const rows = 6_000;
  // About 250 bytes an id: 260 to a page, and more than 1 MB freed by the removals, so that the pool is packed.
  const idOf = (row: number): string => `${word(next, 2)}${'.'.repeat(240)}${word(next, 1)}-${row}`;
  for (let step = 0; step < 30_000; step++) {
    const row = Math.floor(next() * rows);
    if (held.has(row) && next() < 0.5) {
      pool.remove(row);
      held.delete(row);
    } else if (!held.has(row)) {
      const id = idOf(row);
      pool.set(row, id);
      held.set(row, id);
    }
    if (step % 1000 !== 0) continue;
    for (let search = 0; search < 20; search++) {
      const term = (search === 0 ? `.-${row}` : word(next, 3)).toLowerCase();
      const found: number[] = [];
      pool.search(term, (slot) => found.push(slot));
      const expected = [...held].filter(([, id]) => id.toLowerCase().includes(term)).map(([slot]) => slot);
      assert.deepEqual(found.sort((a, b) => a - b), expected.sort((a, b) => a - b), `step ${step} term ${JSON.stringify(term)}`);
    }
  }
});

test('index: ids over many pages are found alike before and after a snapshot, whose pages are read back whole', async () => {
  const next = random(9);
  const index = new JobIndex(100_000);
  let seq = 0;
  // About 100 characters an id: some 650 to a page, 46 pages; some with upper-case letters, some with characters past a byte.
  const ids = Array.from({ length: 30_000 }, (_, n) => `${word(next, 3)}${'x'.repeat(80)}-${n}-${word(next, 3)}`);
  for (const [n, jobId] of ids.entries()) index.apply(recordFromEvent({ ...JobEvents.enqueued(jobId, 'q', 0, { timestamp: n }), nats_sequence: ++seq }));
  const file = path.join(snapshots, 'pages.snapshot');
  const stream = { name: 'S', created: 'then' };
  await saveSnapshot(file, index, stream);
  const restored = await loadSnapshot(file, stream, 100_000);
  assert.ok(restored.loaded, restored.loaded ? '' : restored.reason);
  for (const search of ['x-1', '-29999-', 'B', 'BXX', 'cbx', 'bΣ', 'é-', 'xxxxxxx-12', 'Ac', '-7-', 'zz']) {
    const term = search.toLowerCase();
    const expected = ids.filter((id) => id.toLowerCase().includes(term)).reverse();
    for (const [what, searched] of [['built', index], ['restored', restored.index]] as const) {
      const page = searched.listJobs({ offset: 0, limit: 50, search });
      assert.equal(page.total, expected.length, `${what}: ${search}`);
      assert.deepEqual(page.items.map((job) => job.jobId), expected.slice(0, 50), `${what}: ${search}`);
    }
  }
});

/** Queues, workers and error types from the same few letters: they change, and terms hit them. */
function name(next: () => number): string {
  return `${word(next, 2)}n`;
}

/** One event of a random kind for `jobId`: a failure with some type and message, or another that changes no error. */
function randomEvent(next: () => number, jobId: string, time: number): JobEvent {
  const roll = next();
  if (roll < 0.3) return JobEvents.failed(jobId, name(next), { name: name(next), message: word(next, 6) }, 1, 0, { timestamp: time });
  if (roll < 0.4) return JobEvents.maxRetriesExceeded(jobId, 1, { timestamp: time });
  if (roll < 0.7) return JobEvents.started(jobId, name(next), 'async', { timestamp: time, queue_name: name(next) });
  return JobEvents.completed(jobId, name(next), 1, { timestamp: time });
}

test('index: a search page and its total are those of filtering every job, through changes, removals, eviction, clearing, restores and builds', async () => {
  for (const seed of [7, 8]) {
    const next = random(seed);
    const maxJobs = 60;
    let index = new JobIndex(maxJobs);
    let seq = 0;
    for (let step = 0; step < 6000; step++) {
      const jobId = `${word(next, 2)}J${Math.floor(next() * 100)}`;
      const roll = next();
      if (roll < 0.001) index.clear();
      else if (roll < 0.05) index.removeJob(jobId);
      else if (roll < 0.06) {
        const file = path.join(snapshots, 'index.snapshot');
        const stream = { name: 'S', created: 'then' };
        await saveSnapshot(file, index, stream);
        const restored = await loadSnapshot(file, stream, maxJobs);
        assert.ok(restored.loaded, restored.loaded ? '' : restored.reason);
        index = restored.index;
      } else if (roll < 0.07) {
        // A build leaves the search text out until it ends (or a search asks for it).
        index.setTracking(next() < 0.5);
      } else index.apply(recordFromEvent({ ...randomEvent(next, jobId, step), nats_sequence: ++seq }));
      if (step % 10 === 0) {
        const search = word(next, 3);
        const term = search.toLowerCase();
        const offset = Math.floor(next() * 5);
        const limit = 1 + Math.floor(next() * 20);
        const everyJob = index.listJobs({ offset: 0, limit: maxJobs + 1 }).items;
        const expected = everyJob.filter((job) => matches(term, [job.jobId, errorText(job.lastError ?? undefined), job.queue, job.worker])).map((job) => job.jobId);
        const page = index.listJobs({ offset, limit, search });
        const context = `seed ${seed} step ${step} search ${JSON.stringify(search)}`;
        assert.deepEqual(page.items.map((job) => job.jobId), expected.slice(offset, offset + limit), context);
        assert.equal(page.total, expected.length, context);
      }
    }
  }
});

test('index: a search that finds few of many jobs pages them newest first, as a walk over every job does', () => {
  const index = new JobIndex(10_000);
  const next = random(11);
  let seq = 0;
  const ids = Array.from({ length: 3_000 }, (_, n) => `job-${n}-${word(next, 3)}`);
  for (let step = 0; step < 12_000; step++) {
    const jobId = ids[Math.floor(next() ** 2 * ids.length)] as string;
    index.apply(recordFromEvent({ ...randomEvent(next, jobId, step), nats_sequence: ++seq }));
    if (step % 500 !== 0) continue;
    for (const search of ['job-1', 'job-27', '-12', `${step % 7}`, 'bΣ']) {
      const term = search.toLowerCase();
      const everyJob = index.listJobs({ offset: 0, limit: 10_000 }).items;
      const expected = everyJob.filter((job) => matches(term, [job.jobId, errorText(job.lastError ?? undefined), job.queue, job.worker])).map((job) => job.jobId);
      for (const offset of [0, 3, 40]) {
        const page = index.listJobs({ offset, limit: 25, search });
        assert.deepEqual(page.items.map((job) => job.jobId), expected.slice(offset, offset + 25), `step ${step} search ${search} offset ${offset}`);
        assert.equal(page.total, expected.length);
      }
    }
  }
});

test('index: search finds a job by error type, message, "Type: message", id, queue and worker', () => {
  const index = new JobIndex(100);
  let seq = 0;
  const add = (event: JobEvent) => index.apply(recordFromEvent({ ...event, nats_sequence: ++seq }));
  add(JobEvents.started('job-ve', 'worker-7', 'async', { timestamp: 1, queue_name: 'billing' }));
  add(JobEvents.failed('job-ve', 'worker-7', { name: 'ValueError', message: 'boom' }, 1, 0, { timestamp: 2 }));
  add(JobEvents.started('job-ok', 'worker-2', 'async', { timestamp: 3, queue_name: 'mail' }));
  const found = (search: string) => index.listJobs({ offset: 0, limit: 10, search }).items.map((job) => job.jobId);
  for (const term of ['ValueError', 'valueerror', 'boom', 'ValueError: boom', 'Error: bo', 'job-ve', 'billing', 'worker-7']) assert.deepEqual(found(term), ['job-ve'], term);
  assert.deepEqual(found('mail'), ['job-ok']);
  assert.deepEqual(found('ValueError boom'), [], 'one term, as typed');
  // The worker changes with a new attempt: the search follows it.
  add(JobEvents.started('job-ve', 'worker-9', 'async', { timestamp: 4, queue_name: 'billing' }));
  assert.deepEqual(found('worker-9'), ['job-ve']);
  assert.deepEqual(found('worker-7'), []);
  // A failure without details keeps the error that caused it, and so does the search.
  add(JobEvents.maxRetriesExceeded('job-ve', 2, { timestamp: 5 }));
  assert.deepEqual(found('ValueError: boom'), ['job-ve']);
});
