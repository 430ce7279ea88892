/**
 * Failures as LSP diagnostics at the size: a stream of 1,000,000 events of which 10% are failed events
 * carrying Python tracebacks (made once by the real /usr/bin/python3, then varied over 200 signatures in 20 files
 * of a workspace folder), read by the real backend (dist/server.js) over stdio as a plain LSP client starts it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect } from 'nats';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import type { JobEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';
import { syntheticJobEvents } from '../../server/src/model/samples';
import { FailureStore } from '../../server/src/failures/failureStore';
import { PathMapper } from '../../server/src/failures/pathMapper';
import { tracebackFromDetails } from '../../server/src/failures/tracebackSources';
import type { EventStorage } from '../../server/src/storage/eventStorage';
import { BackendProcess, backendSettings } from '../support/backendProcess';
import type { NatsServer } from '../support/natsServer';
import { openStorage } from '../support/storageFixture';
import { untilBuilt } from './backendBench';
import { EVENTS_PER_JOB, fill } from './fill';
import { boundForEvents, Check, heapSnapshotOptions, percentile, retainedMb, rssMb, timed, usedBytes } from './stats';

const FILES = 20;
const FUNCTIONS_PER_FILE = 10;
export const FAILURE_SIGNATURES = FILES * FUNCTIONS_PER_FILE;
/** Failures published one at a time after the build, each timed to its diagnostic. */
const LIVE_FAILURES = 50;
/** Rounds of opening every workspace file, each timed to its diagnostics. */
const OPEN_ROUNDS = 3;
const FAILURES = { streamName: 'NAQ_BENCH_FAILURES', subjectPrefix: 'naq.bench.failures' };
const WITHOUT = { streamName: 'NAQ_BENCH_NO_FAILURES', subjectPrefix: 'naq.bench.nofailures' };

/** 1M, the targets' size, unless NAQ_BENCH_FAILURES_EVENTS asks for a quicker run. */
export function failuresEvents(): number {
  const asked = process.env.NAQ_BENCH_FAILURES_EVENTS;
  if (asked === undefined) return 1_000_000;
  if (!/^[1-9]\d*$/.test(asked) || Number(asked) < 2 * EVENTS_PER_JOB) throw new Error(`NAQ_BENCH_FAILURES_EVENTS must be an integer of at least ${2 * EVENTS_PER_JOB} (events), not "${asked}"`);
  return Number(asked);
}

/** The report's heading, the same in `npm run bench` and `npm run bench:failures`. */
export function failuresTitle(): string {
  return `failures as LSP diagnostics on ${failuresEvents()} events (10% failed, ${FAILURE_SIGNATURES} signatures), backend over stdio`;
}

/** One workspace module: `fn_k` raises on line 3k+2, and the module calls `fn_0` on its last line. */
function moduleSource(): string {
  const lines: string[] = [];
  for (let k = 0; k < FUNCTIONS_PER_FILE; k++) lines.push(`def fn_${k}(payload):`, '    raise ValueError(f"no route for tariff {payload}")', '');
  lines.push('fn_0("aa")', '');
  return lines.join('\n');
}

const moduleName = (file: number): string => `mod_${String(file).padStart(2, '0')}.py`;

/** A two-letter word per signature: the message differs by it, and no number in it is normalised away. */
const word = (signature: number): string => String.fromCharCode(97 + Math.floor(signature / 26), 97 + (signature % 26));

/** The real traceback of `mod_00.py` run by /usr/bin/python3 from a worker's own folder. */
function realTraceback(): string {
  const worker = mkdtempSync(join(tmpdir(), 'naq-bench-worker-'));
  try {
    mkdirSync(join(worker, 'app', 'jobs'), { recursive: true });
    writeFileSync(join(worker, 'app', 'jobs', moduleName(0)), moduleSource());
    try {
      execFileSync('/usr/bin/python3', [join(worker, 'app', 'jobs', moduleName(0))], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } catch (error) {
      const text = String((error as { stderr?: Buffer }).stderr ?? '');
      if (!text.includes(`${moduleName(0)}", line 2, in fn_0`) || !text.includes('ValueError: no route for tariff aa')) throw new Error(`unexpected traceback from python3:\n${text}`);
      return text;
    }
    throw new Error(`${moduleName(0)} did not fail`);
  } finally {
    rmSync(worker, { recursive: true, force: true });
  }
}

/** The traceback of signature `s`: file `s % 20`, function `s / 20`, its own message word. */
function tracebacks(real: string): string[] {
  return Array.from({ length: FAILURE_SIGNATURES }, (_, s) => {
    const k = Math.floor(s / FILES);
    return real
      .replaceAll(moduleName(0), moduleName(s % FILES))
      .replace('line 2, in fn_0', `line ${3 * k + 2}, in fn_${k}`)
      .replace('fn_0("aa")', `fn_${k}("${word(s)}")`)
      .replace('no route for tariff aa', `no route for tariff ${word(s)}`);
  });
}

function failedEvent(jobId: string, worker: string, signature: number, traceback: string, timestamp: number): JobEvent {
  return JobEvents.failed(jobId, worker, { name: 'ValueError', message: `no route for tariff ${word(signature)}`, stack: traceback }, 12.5, 0, { timestamp });
}

/** The synthetic jobs with every other one failing (a fifth of a job's events is its outcome: 10% failed events). */
function failingJobs(texts: readonly string[]) {
  return (job: number, start: number): JobEvent[] => {
    const events = syntheticJobEvents(job, start, 'fail');
    const outcome = events[3]!;
    if (job % 2 === 0) {
      const signature = (job / 2) % FAILURE_SIGNATURES;
      // Failed by the worker that started it, as a real job is: another worker would make every failed job one
      // that moved between workers, which the index keeps apart for the few jobs that really do.
      events[3] = failedEvent(outcome.job_id, outcome.worker_id ?? 'worker-0', signature, texts[signature]!, outcome.timestamp);
    }
    return events;
  };
}

/** The same jobs, every one completing: the memory baseline. */
function completingJobs(job: number, start: number): JobEvent[] {
  const events = syntheticJobEvents(job, start, 'fail');
  const outcome = events[3]!;
  events[3] = JobEvents.completed(outcome.job_id, outcome.worker_id ?? 'worker-0', 250.25, { timestamp: outcome.timestamp });
  return events;
}

/** The failure count a diagnostic states ("ValueError ×12 in …"). */
function countOf({ message }: Diagnostic): number {
  return Number(/^ValueError ×(\d+)/.exec(typeof message === 'string' ? message : message.value)?.[1] ?? 0);
}

function hasJob(params: PublishDiagnosticsParams, jobId: string): boolean {
  return params.diagnostics.some((d) => (d.data as { jobId?: string } | undefined)?.jobId === jobId);
}

async function fillStream(server: NatsServer, names: typeof FAILURES, jobs: number, eventsOf: (job: number, start: number) => JobEvent[]): Promise<{ storage: EventStorage; stored: number }> {
  const storage = await openStorage(server, { ...names, timeoutMs: 60_000 });
  const stored = await fill(storage, server.url, jobs, eventsOf);
  if (stored !== jobs * EVENTS_PER_JOB) throw new Error(`stream ${names.streamName} holds ${stored} events, not the ${jobs * EVENTS_PER_JOB} published`);
  return { storage, stored };
}

/**
 * What the failure store alone holds for these failures, fed here as the backend's service feeds it (each
 * traceback a string of its own, as decoded from its event): this process's heap after collection, so without
 * the garbage and the heap headroom the backend's RSS also counts.
 */
function storeHeapMb(texts: readonly string[], workspace: string, failures: number): number {
  const before = usedBytes();
  const store = new FailureStore(new PathMapper([workspace]));
  const now = Date.now() / 1000;
  for (let i = 0; i < failures; i++) {
    const signature = i % FAILURE_SIGNATURES;
    const message = `no route for tariff ${word(signature)}`;
    const traceback = tracebackFromDetails({ traceback: Buffer.from(texts[signature]!).toString() }, 'ValueError', message);
    if (!traceback) throw new Error(`the traceback of signature ${signature} does not parse`);
    store.put({ jobId: `fail-${2 * i}`, seq: i + 1, time: now - i, queue: `queue-${i % 20}`, worker: `worker-${signature % 50}`, errorType: 'ValueError', errorMessage: message, traceback, origin: 'details' });
  }
  const mb = (usedBytes() - before) / 1e6;
  if (store.size !== failures) throw new Error(`the store holds ${store.size} failures, not ${failures}`);
  return mb;
}

/** The next parts fill their own stream: these two leave the server's memory and disk as they found them. */
async function deleteStreams(url: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 10_000 });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 60_000 });
    for (const { streamName } of [FAILURES, WITHOUT]) await jsm.streams.delete(streamName).catch(() => false);
  } finally {
    await nc.close();
  }
}

/**
 * Resolves once the backend has saved its index's first snapshot, which it starts as the build ends, and collected
 * the garbage of the build and the save: both backends are measured past that point, not one in the middle of it.
 */
async function untilSaved(backend: BackendProcess): Promise<void> {
  await backend.until('the index snapshot saved after the build', () => backend.logs.includes('index: snapshot saved after the build'), 120_000);
}

/** A backend on one stream, with the workspace folder, its index built. */
async function backendOn(server: NatsServer, names: typeof FAILURES, storagePath: string, workspace: string, events: number): Promise<BackendProcess> {
  const backend = await BackendProcess.start(backendSettings({ serverUrl: server.url, storagePath, ...names }), { NODE_OPTIONS: heapSnapshotOptions(storagePath) }, { workspaceFolders: [workspace] });
  try {
    await untilBuilt(backend, Math.max(300_000, boundForEvents(events)));
  } catch (error) {
    await backend.stop();
    throw error;
  }
  return backend;
}

/**
 * Measures, on `NAQ_BENCH_FAILURES_EVENTS` events (1M by default): the time from opening a workspace file to its
 * diagnostics next to a trivial hover round trip on the same connection; the time from storing a new failure
 * to the diagnostic naming it next to the backend's own index change notification for the same event; and
 * the backend's RSS with the failures next to the same jobs all completing.
 */
export async function benchFailures(server: NatsServer): Promise<Check[]> {
  const events = failuresEvents();
  const jobs = Math.floor(events / EVENTS_PER_JOB);
  const failures = Math.ceil(jobs / 2);
  const texts = tracebacks(realTraceback());
  const workspace = mkdtempSync(join(tmpdir(), 'naq-bench-failures-ws-'));
  const storagePath = mkdtempSync(join(tmpdir(), 'naq-bench-failures-storage-'));
  mkdirSync(join(workspace, 'app', 'jobs'), { recursive: true });
  for (let f = 0; f < FILES; f++) writeFileSync(join(workspace, 'app', 'jobs', moduleName(f)), moduleSource());
  const uris = Array.from({ length: FILES }, (_, f) => pathToFileURL(join(workspace, 'app', 'jobs', moduleName(f))).href);
  const storages: EventStorage[] = [];
  const checks: Check[] = [];
  try {
    const started = Date.now();
    const without = await fillStream(server, WITHOUT, jobs, completingJobs);
    storages.push(without.storage);
    const withFailures = await fillStream(server, FAILURES, jobs, failingJobs(texts));
    storages.push(withFailures.storage);
    console.log(`failures: 2 streams of ${jobs * EVENTS_PER_JOB} events (${failures} failed over ${FAILURE_SIGNATURES} signatures, and none) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const baseline = await backendOn(server, WITHOUT, join(storagePath, 'without'), workspace, events);
    await untilSaved(baseline);
    const rssWithout = rssMb(baseline.child.pid!);
    const retainedWithout = await retainedMb(baseline.child.pid!, join(storagePath, 'without'));
    await baseline.stop();

    const buildStart = Date.now();
    const backend = await backendOn(server, FAILURES, join(storagePath, 'with'), workspace, events);
    try {
      const built = Date.now();
      // Placed and published: the newest diagnostics of every file add up to every failure stored.
      const latest = new Map<string, number>();
      await backend.nextNotified(
        () => `all ${failures} failures in the files' diagnostics (they add up to ${[...latest.values()].reduce((a, b) => a + b, 0)})`,
        () => {
          for (const params of backend.diagnostics.splice(0)) latest.set(params.uri, params.diagnostics.reduce((sum, d) => sum + countOf(d), 0));
          return [...latest.values()].reduce((a, b) => a + b, 0) === failures ? true : undefined;
        },
        Math.max(300_000, boundForEvents(events)),
      );
      const placedSeconds = (Date.now() - built) / 1000;
      await untilSaved(backend);
      const rssWith = rssMb(backend.child.pid!);

      const opens: number[] = [];
      const hovers: number[] = [];
      for (let round = 0; round < OPEN_ROUNDS; round++) {
        for (const uri of uris) {
          backend.diagnostics.length = 0;
          const arrived = backend.nextDiagnostics(uri, (params) => params.diagnostics.length > 0, `on opening ${uri}`);
          const sent = performance.now();
          await backend.rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: moduleSource() } });
          opens.push((await arrived).at - sent);
          await backend.rpc.sendNotification('textDocument/didClose', { textDocument: { uri } });
          // A file of the workspace without failures: the hover finds none and answers null.
          const empty = pathToFileURL(join(workspace, 'app', 'jobs', '__init__.py')).href;
          hovers.push((await timed(() => backend.rpc.sendRequest('textDocument/hover', { textDocument: { uri: empty }, position: { line: 0, character: 0 } }))).ms);
        }
      }

      const toDiagnostic: number[] = [];
      const toChange: number[] = [];
      const now = Date.now() / 1000;
      for (let i = 0; i < LIVE_FAILURES; i++) {
        const jobId = `live-${i}`;
        const signature = (i * 7) % FAILURE_SIGNATURES;
        const uri = uris[signature % FILES]!;
        const diagnostic = backend.nextDiagnostics(uri, (params) => hasJob(params, jobId), `naming ${jobId}`);
        const change = backend.nextNotified(`the index change naming ${jobId}`, () => (backend.changes.some((c) => c.jobs.includes(jobId)) ? true : undefined));
        const sent = performance.now();
        await withFailures.storage.store(failedEvent(jobId, `worker-${signature % 50}`, signature, texts[signature]!, now + i));
        toDiagnostic.push((await diagnostic).at - sent);
        toChange.push((await change).at - sent);
      }

      // Last: the snapshot stops the backend for seconds and leaves it large, which the timings above must not see.
      const growth = (await retainedMb(backend.child.pid!, join(storagePath, 'with'))) - retainedWithout;
      const openP50 = percentile(opens, 50);
      const hoverP50 = percentile(hovers, 50);
      const liveP99 = percentile(toDiagnostic, 99);
      const changeP99 = percentile(toChange, 99);
      checks.push(
        {
          name: `diagnostics for one file (${failures / FILES} failures, ${FUNCTIONS_PER_FILE} signatures), didOpen to publishDiagnostics, median of ${opens.length}`,
          value: openP50,
          unit: 'ms',
          target: '<= 20',
          ok: openP50 <= 20,
          baseline: { name: 'a hover that finds nothing, same connection', value: hoverP50, comparison: `${(openP50 / Math.max(hoverP50, 0.001)).toFixed(1)}x that` },
        },
        { name: 'of which the slowest (p99)', value: percentile(opens, 99), unit: 'ms', target: '', ok: true, info: true },
        {
          name: `stored failure to its diagnostic, p99 of ${LIVE_FAILURES} published one at a time (from the publish, its ack included)`,
          value: liveP99,
          unit: 'ms',
          target: '<= 1000',
          ok: liveP99 <= 1000,
          baseline: { name: "the backend's index change naming the job, p99", value: changeP99, comparison: `${(liveP99 / Math.max(changeP99, 0.001)).toFixed(1)}x that` },
        },
        { name: 'of which the median', value: percentile(toDiagnostic, 50), unit: 'ms', target: '', ok: true, info: true },
        {
          name: `backend memory growth from ${failures} failures over ${FAILURE_SIGNATURES} signatures (heap and buffers retained, all placed)`,
          value: growth,
          unit: 'MB',
          target: '<= 50',
          ok: growth <= 50,
          baseline: { name: 'the same retained by a backend on the same jobs, none failing', value: retainedWithout, comparison: `+${((growth / retainedWithout) * 100).toFixed(0)}% over it` },
        },
        {
          name: `the same growth in RSS, which also counts the heap grown for the garbage of reading ${failures} tracebacks`,
          value: rssWith - rssWithout,
          unit: 'MB',
          target: '',
          ok: true,
          info: true,
          baseline: { name: 'backend RSS on the same jobs, none failing', value: rssWithout, comparison: `+${(((rssWith - rssWithout) / rssWithout) * 100).toFixed(0)}% over it` },
        },
        { name: 'the failure store alone for the same failures (heap after collection, in this process)', value: storeHeapMb(texts, workspace, failures), unit: 'MB', target: '', ok: true, info: true },
        { name: `failures placed and published after the index was built (build took ${((built - buildStart) / 1000).toFixed(1)} s)`, value: placedSeconds * 1000, unit: 'ms', target: '', ok: true, info: true },
      );
    } finally {
      await backend.stop();
    }
  } finally {
    for (const storage of storages) await storage.close();
    await deleteStreams(server.url);
    rmSync(workspace, { recursive: true, force: true });
    rmSync(storagePath, { recursive: true, force: true });
  }
  return checks;
}
