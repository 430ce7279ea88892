import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Status } from 'nats';
import { ConfigError } from '../config/configError';
import { describeConnection } from '../config/connection';
import { DEFAULT_TAIL_RATE_LIMIT } from '../config/defaults';
import { describeNatsError, type ErrorMoment } from '../config/natsErrors';
import type { EmbeddedNats } from '../embedded/embeddedNats';
import { Indexer, IndexerProgress } from '../index/indexer';
import type { JobIndex } from '../index/jobIndex';
import { MetricsFeed } from '../metrics/metricsFeed';
import type { Disposer } from '../processor/handlers';
import type { StreamHandler } from '../processor/streamHandlers';
import { createEvent } from '../model/event';
import { sampleLifecycle, sampleSpan } from '../model/samples';
import type {
  BackendSettings,
  ConnectionState,
  EmitParams,
  EmitResult,
  IndexChange,
  JobItem,
  JobListParams,
  JobStats,
  JobPage,
  LifecycleParams,
  Outage,
  QueueItem,
  TailBatch,
  TailParams,
  TailStarted,
  Timeline,
  TimelineParams,
  WorkerItem,
} from '../protocol/protocol';
import { MAX_CHANGED_ITEMS } from '../protocol/protocol';
import type { MetricsChanged, MetricsResult } from '../protocol/metrics';
import type { StreamApplyParams, StreamApplyResult, StreamReview } from '../protocol/stream';
import { EventStorage } from '../storage/eventStorage';
import { readSequences } from '../storage/sequenceRead';
import { FOLLOW_RETRY_MS } from '../storage/follower';
import { NatsSession } from '../storage/session';
import { sessionOptions } from '../storage/sessionOptions';
import { ensureStream, desiredStreamConfig, describeProblems } from '../storage/streamConfig';
import { chooseTarget } from './natsTarget';
import { applyReviewed, reviewStream } from './streamReview';
import { problemOf, TailSession, tailStart } from './tailSession';
import { timelinePage } from './timelinePage';
import { isTimeout, withTimeout } from '../util/timeout';
import { wireEvent, wireJob, wireProgress, wireQueue, wireStats, wireWorker } from './toWire';

/** What the backend tells the editor; the language-server connection implements it. */
export interface BackendPeer {
  /** Settles once the state is sent, where the peer can tell (the language-server connection can). */
  state(state: ConnectionState): Promise<void> | void;
  changed(change: IndexChange): void;
  tail(batch: TailBatch): void;
  metrics?(changed: MetricsChanged): void;
  log(message: string): void;
}

const RETRY_MS = 5_000;
const STATE_REFRESH_MS = 5_000;
/**
 * A frozen server keeps its sockets open, so nats.js notices nothing for minutes (its pings are
 * two minutes apart); a ping of our own on every state refresh finds it within seconds.
 */
const PING_TIMEOUT_MS = 4_000;

export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

/**
 * One line, as the CLI words it: a denied permission names the operation and the subject. On an
 * open connection (`request`) a timeout means the server stopped answering, not a wrong address.
 */
function describe(error: unknown, moment: ErrorMoment = 'connecting'): string {
  return describeNatsError(error, moment);
}

/**
 * Owns the NATS connection, the storage, the index and the tails; every request from the editor
 * is answered from here. One connection at a time: a new `connect` replaces the previous one.
 */
export class Backend {
  private settings: BackendSettings | undefined;
  private current: ConnectionState = { phase: 'disconnected', detail: 'Not connected yet.' };
  /** The last state's sending, as the peer reports it. */
  private stateSent: Promise<void> | void = undefined;
  private storage: EventStorage | undefined;
  private indexer: Indexer | undefined;
  private metrics: MetricsFeed | undefined;
  private embedded: EmbeddedNats | undefined;
  private readonly tails = new Map<string, TailSession>();
  /** Followers of the stream beside the index, handed to every indexer this backend starts, after the index. */
  private readonly streamHandlers = new Map<StreamHandler, Disposer | undefined>();
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** A state refresh is waiting for NATS: the next tick does not start another. */
  private refreshing = false;

  constructor(private readonly peer: BackendPeer) {}

  get state(): ConnectionState {
    return this.current;
  }

  /** What the failures read while connected: the index and the session. */
  get failureHost(): { index: JobIndex | undefined; session: NatsSession | undefined } {
    return { index: this.indexer?.index, session: this.storage?.session };
  }

  async connect(settings: BackendSettings): Promise<ConnectionState> {
    this.settings = settings;
    await this.teardown();
    const generation = ++this.generation;
    this.setState({ phase: 'connecting', detail: 'Looking for a NATS server…' });
    let target;
    try {
      target = await chooseTarget(settings);
    } catch (error) {
      const detail = error instanceof ConfigError ? error.message : `Cannot start a NATS server: ${describe(error)}`;
      return this.setState({ phase: 'disconnected', detail });
    }
    if (generation !== this.generation) {
      if (target.kind === 'embedded') await target.server.stop();
      return this.current;
    }
    if (target.kind === 'none') return this.setState({ phase: 'no-server', detail: target.reason });
    if (target.kind === 'embedded') this.embedded = target.server;
    const where = describeConnection(target.settings);
    this.setState({ phase: 'connecting', detail: `Connecting to ${where}…` });
    let session: NatsSession;
    try {
      session = await NatsSession.open(sessionOptions(target.settings, settings));
    } catch (error) {
      if (generation === this.generation) this.retryTimer = setTimeout(() => void this.retry(generation), RETRY_MS);
      return this.setState({ phase: 'disconnected', detail: `Cannot use ${where}: ${describe(error)}. Retrying in ${RETRY_MS / 1000} s.` });
    }
    if (generation !== this.generation) {
      await session.close();
      return this.current;
    }
    this.storage = new EventStorage(session);
    for (const line of describeProblems(session.streamName, session.stream?.problems ?? [])) this.peer.log(line);
    this.watch(session, generation);
    const metrics = new MetricsFeed((changed) => this.peer.metrics?.(changed));
    this.metrics = metrics;
    const indexer = new Indexer(session, {
      progress: (progress) => this.indexProgress(progress),
      changed: (changes) => {
        const jobs = [...changes.jobs];
        this.peer.changed({
          reset: changes.reset,
          jobs,
          queues: [...changes.queues],
          workers: [...changes.workers],
          items: jobs.length > MAX_CHANGED_ITEMS ? [] : jobs.flatMap((jobId) => this.getJob(jobId) ?? []),
          failed: changes.failed.map((f) => ({ jobId: f.jobId, error: f.error && { ...f.error } })),
        });
      },
      log: (message) => this.peer.log(message),
      applied: (record) => metrics.applied(record),
    }, { snapshotFile: this.snapshotFile(settings, target.settings.servers.join(',')), maxJobs: settings.maxIndexedJobs });
    this.indexer = indexer;
    // Its aggregates are kept in the index's snapshot and restored with it.
    indexer.handlers.use(metrics);
    for (const handler of this.streamHandlers.keys()) this.streamHandlers.set(handler, indexer.handlers.use(handler));
    await indexer.start();
    this.refreshTimer = setInterval(() => void this.refreshStream(), STATE_REFRESH_MS);
    const connected = this.connectedState();
    // The search text (100 ms at 2,000,000 jobs) once the editor has the state, not before it: a restored index
    // answers everything else, and a search before then builds it itself. Queued on the event loop beside the
    // state instead, it ran first: the connection writes each message from an immediate of its own.
    void Promise.resolve(this.stateSent)
      .catch(() => undefined)
      .then(() => {
        if (this.indexer === indexer) indexer.prepareSearch();
      });
    return connected;
  }

  /**
   * Adds a follower of the stream after those already added: it sees each message once the index has applied
   * it, now and across reconnects; one that throws is logged and skipped, the others go on.
   */
  useStreamHandler(handler: StreamHandler): Disposer {
    this.streamHandlers.set(handler, this.indexer?.handlers.use(handler));
    return () => {
      this.streamHandlers.get(handler)?.();
      this.streamHandlers.delete(handler);
    };
  }

  async disconnect(): Promise<ConnectionState> {
    this.generation++;
    await this.teardown();
    return this.setState({ phase: 'disconnected', detail: 'Disconnected.' });
  }

  async shutdown(): Promise<void> {
    this.generation++;
    await this.teardown();
  }

  listJobs(params: JobListParams): JobPage {
    const page = this.index().listJobs(params);
    return { items: page.items.map(wireJob), total: page.total };
  }

  getJob(jobId: string): JobItem | null {
    const job = this.indexer?.index.get(jobId);
    return job ? wireJob(job) : null;
  }

  listQueues(): QueueItem[] {
    return this.index().listQueues().map(wireQueue);
  }

  listWorkers(): WorkerItem[] {
    return this.index().listWorkers().map(wireWorker);
  }

  stats(): JobStats {
    return wireStats(this.index().stats);
  }

  /** `params` as received: checked here, so a bad one is answered with the field and the rule. */
  queryMetrics(params: unknown): MetricsResult {
    this.connected();
    return (this.metrics as MetricsFeed).query(params);
  }

  /**
   * One page, newest first, from the index's sequences by direct get; a filtered read only while the
   * index is still building. Never changes the index: events gone from the stream are left out here
   * and the index learns of their deletion from the stream itself.
   */
  async timeline(params: TimelineParams): Promise<Timeline> {
    const storage = this.reachable();
    const { jobId } = params;
    const indexer = this.indexer as Indexer;
    const summary = indexer.index.get(jobId);
    if (indexer.building && !summary) {
      const { events, errors } = await storage.jobEvents(jobId);
      const sequences = events.flatMap((e) => (e.nats_sequence === null ? [] : [e.nats_sequence]));
      const page = timelinePage(sequences, params);
      const chosen = new Set(page.sequences);
      return {
        jobId,
        job: null,
        events: events.filter((e) => e.nats_sequence !== null && chosen.has(e.nats_sequence)).map(wireEvent),
        problems: errors.map(problemOf),
        source: 'consumer',
        olderCount: page.olderCount,
      };
    }
    if (!summary) return { jobId, job: null, events: [], problems: [], source: 'index', olderCount: 0 };
    const job = wireJob(summary);
    const page = timelinePage(summary.sequences, params);
    const read = await storage.session.userReads.run(() => readSequences(storage.session, page.sequences));
    return { jobId, job, events: read.events.map(wireEvent), problems: read.errors.map(problemOf), source: 'index', olderCount: page.olderCount };
  }

  async deleteJob(jobId: string): Promise<{ purged: number }> {
    const storage = this.reachable();
    // What the job counted for in the metrics goes with it: read its events while they are still there.
    const sequences = this.indexer?.index.get(jobId)?.sequences ?? [];
    const counted = await readSequences(storage.session, sequences).then(
      (read) => read.events,
      (error: unknown) => {
        this.peer.log(`delete ${jobId}: its events could not be read first, so the metrics still count them: ${describe(error, 'request')}`);
        return [];
      },
    );
    const purged = await storage.deleteJobEvents(jobId);
    this.indexer?.index.removeJob(jobId);
    this.metrics?.removeJob(jobId, counted);
    return { purged };
  }

  async emit(params: EmitParams): Promise<EmitResult> {
    const ref = await this.reachable().store(createEvent(params.event), params.shape);
    return { seq: ref.seq, subject: ref.subject };
  }

  async emitLifecycle(params: LifecycleParams): Promise<{ jobId: string; events: EmitResult[] }> {
    const storage = this.reachable();
    const jobId = params.jobId || `job-${randomBytes(3).toString('hex')}`;
    const samples = sampleLifecycle(params.scenario, {
      jobId,
      queue: params.queue || 'default',
      worker: params.worker || 'worker-1',
      start: Date.now() / 1000 - sampleSpan(params.scenario),
    });
    const events: EmitResult[] = [];
    for (const sample of samples) {
      const ref = await storage.store(sample.event, sample.shape);
      events.push({ seq: ref.seq, subject: ref.subject });
    }
    return { jobId, events };
  }

  /** Answers once the tail's start is pinned: every event stored after the answer reaches it. */
  async startTail(params: TailParams): Promise<TailStarted> {
    const storage = this.reachable();
    const tailId = randomBytes(6).toString('hex');
    const lastSeq = (await storage.streamInfo()).state.last_seq;
    const start = tailStart(params.backfill, lastSeq);
    const tail = new TailSession(tailId, storage.session, params, start, this.settings?.tailRateLimit ?? DEFAULT_TAIL_RATE_LIMIT, (batch) => this.peer.tail({ ...batch, events: batch.events.map(wireEvent) }), (error) =>
      this.peer.log(`tail ${tailId}: ${error.message}`),
    );
    this.tails.set(tailId, tail);
    return { tailId, pattern: tail.pattern, lastSeq };
  }

  /** The stream's difference to the seed's limits; changes nothing. */
  streamPlan(): Promise<StreamReview> {
    return reviewStream(this.reachable().session);
  }

  /** Changes the stream: only on the user's confirmation of the review with this basis. */
  applyStream(params: StreamApplyParams): Promise<StreamApplyResult> {
    return applyReviewed(this.reachable().session, params, (message) => this.peer.log(message));
  }

  async stopTail(tailId: string): Promise<void> {
    const tail = this.tails.get(tailId);
    this.tails.delete(tailId);
    await tail?.stop();
  }

  private index() {
    this.connected();
    return (this.indexer as Indexer).index;
  }

  private connected(): EventStorage {
    if (!this.storage || !this.indexer) throw new NotConnectedError(`not connected to NATS: ${this.current.detail}`);
    return this.storage;
  }

  /** Requests that read or write the stream fail at once while the connection is lost, not after NATS's timeout. */
  private reachable(): EventStorage {
    const storage = this.connected();
    if (this.current.phase === 'disconnected') throw new NotConnectedError(`not connected to NATS: ${this.current.detail}`);
    return storage;
  }

  private snapshotFile(settings: BackendSettings, servers: string): string | undefined {
    if (!settings.storagePath) return undefined;
    const key = createHash('sha256').update(`${servers}\n${settings.streamName}\n${settings.subjectPrefix}`).digest('hex').slice(0, 16);
    return join(settings.storagePath, `index-${key}.snapshot`);
  }

  private async retry(generation: number): Promise<void> {
    if (generation === this.generation && this.settings) await this.connect(this.settings);
  }

  private watch(session: NatsSession, generation: number): void {
    void (async () => {
      for await (const status of session.nc.status() as AsyncIterable<Status>) {
        if (generation !== this.generation) return;
        switch (status.type) {
          case 'disconnect':
            // nats.js drops a server that stopped answering after its missed pings: the same outage, in the same words.
            if (this.current.outage?.cause === 'not-answering') break;
            this.setState({
              ...this.current,
              phase: 'disconnected',
              detail: `Lost the connection to ${String(status.data)}; reconnecting…`,
              outage: this.outage('lost'),
            });
            break;
          case 'reconnect':
            await this.recovered(session);
            break;
          case 'ldm':
            this.setState({ ...this.current, phase: 'degraded', detail: 'The NATS server is shutting down (lame duck mode).' });
            break;
          case 'error':
            this.peer.log(`nats: ${String(status.data)}`);
            break;
        }
      }
    })();
  }

  /** After a reconnect the server may have lost the stream (a fresh store): create it if missing, never update it. */
  private async recovered(session: NatsSession): Promise<void> {
    try {
      await ensureStream(session.jsm, desiredStreamConfig(session.streamName, session.prefix), session.prefix);
      await this.indexer?.reconcile();
      this.connectedState();
    } catch (error) {
      this.setState({ ...this.current, phase: 'degraded', detail: `Reconnected, but the stream is not usable: ${describe(error, 'request')}` });
    }
  }

  /** The outage going on, with its start kept, or one starting now. */
  private outage(cause: Outage['cause']): Outage {
    return { since: this.current.outage?.since ?? Date.now(), cause };
  }

  /**
   * The server stopped replying on an open connection: say so (not "check the address or TLS", which
   * is about connecting), and make requests fail at once until it answers again.
   */
  private notAnswering(): void {
    const server = this.serverAddress();
    this.setState({
      ...this.current,
      phase: 'disconnected',
      detail: `The NATS server at ${server} stopped answering (no reply within ${PING_TIMEOUT_MS / 1000} s); the views show what was known before, and requests fail at once until it answers again.`,
      outage: this.outage('not-answering'),
    });
  }

  private serverAddress(): string {
    return this.storage?.session.nc.getServer() ?? 'the NATS server';
  }

  private async refreshStream(): Promise<void> {
    // While nats.js reconnects after a lost connection, its status events say when it is back.
    if (!this.storage || this.refreshing) return;
    if (this.current.phase === 'disconnected' && this.current.outage?.cause !== 'not-answering') return;
    const storage = this.storage;
    this.refreshing = true;
    let pinged = false;
    try {
      await withTimeout(storage.session.nc.rtt(), PING_TIMEOUT_MS, 'a ping to the NATS server');
      pinged = true;
      const info = await storage.streamInfo();
      this.metrics?.streamStarts(info.state.first_seq);
      const stream = { name: info.config.name, messages: info.state.messages, bytes: info.state.bytes, lastSeq: info.state.last_seq };
      if (storage !== this.storage || this.lostDuringRefresh()) return;
      const next = this.answering({ ...this.current, stream });
      if (JSON.stringify(next) !== JSON.stringify(this.current)) this.setState(next);
    } catch (error) {
      // The connection dropped while this check was in flight: its failure ("disconnected from the NATS
      // server") is that outage, already reported; calling it a degraded stream would hide it.
      if (storage !== this.storage || this.lostDuringRefresh()) return;
      if (!isTimeout(error)) this.setState({ ...this.current, phase: 'degraded', detail: `Connected, but the stream is not usable: ${describe(error, 'request')}` });
      else if (!pinged) this.notAnswering();
      // The server answers but JetStream does not: a cluster between leaders, whose reads and tails go on; refusing requests would stop them.
      else {
        const detail = `Connected to ${this.serverAddress()}, but JetStream did not answer a stream info request in time (a cluster electing a leader, or an overloaded server); asking again every ${STATE_REFRESH_MS / 1000} s.`;
        this.setState({ ...this.current, phase: 'degraded', detail });
      }
    } finally {
      this.refreshing = false;
    }
  }

  /** A refresh starts only while connected or while a server is not answering: a lost connection now came meanwhile. */
  private lostDuringRefresh(): boolean {
    return this.current.phase === 'disconnected' && this.current.outage?.cause === 'lost';
  }

  /**
   * The state while NATS answers: connected, unless the index cannot follow the stream (a cluster without a
   * quorum refuses its consumer while stream info still answers): then degraded, saying why and since when.
   */
  private answering(state: ConnectionState): ConnectionState {
    const stalled = state.index?.stalled;
    if (stalled === undefined) return { ...state, phase: 'connected', detail: this.connectedDetail() };
    const since = new Date(stalled.since).toLocaleTimeString();
    const detail = `Connected to ${this.serverAddress()}, but the index cannot follow the stream since ${since}: ${stalled.reason}. Trying again every ${FOLLOW_RETRY_MS / 1000} s; the lists show the jobs as they were then.`;
    return { ...state, phase: 'degraded', detail };
  }

  private connectedDetail(): string {
    const session = this.storage?.session;
    if (!session) return '';
    return `Connected to nats-server ${session.serverVersion} at ${session.nc.getServer()}${this.embedded ? ' (started by the extension)' : ''}.`;
  }

  private connectedState(): ConnectionState {
    const session = (this.storage as EventStorage).session;
    return this.setState({
      phase: 'connected',
      detail: this.connectedDetail(),
      server: { url: session.nc.getServer(), version: session.serverVersion, embedded: this.embedded !== undefined },
      stream: this.current.stream,
      index: this.indexer && wireProgress(this.indexer.progress()),
    });
  }

  private indexProgress(progress: IndexerProgress): void {
    const index = wireProgress(progress);
    if (this.current.phase === 'connecting') this.setState({ ...this.current, index });
    // A degraded state of the index's own making follows it; one the stream's checks set waits for them.
    else if (this.current.phase === 'connected' || (this.current.phase === 'degraded' && this.current.index?.stalled)) this.setState(this.answering({ ...this.current, index }));
  }

  private setState(state: ConnectionState): ConnectionState {
    // An outage is a kind of disconnection; any other phase ends it.
    if (state.phase !== 'disconnected' && state.outage !== undefined) state = { ...state, outage: undefined };
    this.current = state;
    this.stateSent = this.peer.state(state);
    return state;
  }

  private async teardown(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearInterval(this.refreshTimer);
    await Promise.all([...this.tails.values()].map((tail) => tail.stop()));
    this.tails.clear();
    await this.indexer?.stop();
    this.indexer = undefined;
    this.metrics?.stop();
    this.metrics = undefined;
    await this.storage?.close();
    this.storage = undefined;
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
