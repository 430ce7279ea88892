import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Status } from 'nats';
import { ConfigError } from '../config/configError';
import { describeConnection } from '../config/connection';
import { describeNatsError } from '../config/natsErrors';
import type { EmbeddedNats } from '../embedded/embeddedNats';
import { Indexer, IndexerProgress } from '../index/indexer';
import type { JobSummary } from '../index/jobSummary';
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
  JobPage,
  LifecycleParams,
  QueueItem,
  TailBatch,
  TailParams,
  TailStarted,
  Timeline,
  WorkerItem,
} from '../protocol/protocol';
import { EventStorage } from '../storage/eventStorage';
import { readSequences } from '../storage/sequenceRead';
import { NatsSession } from '../storage/session';
import { sessionOptions } from '../storage/sessionOptions';
import { ensureStream, desiredStreamConfig } from '../storage/streamConfig';
import { chooseTarget } from './natsTarget';
import { problemOf, TailSession, tailStart } from './tailSession';
import type { JobStats } from '../analytics/jobAnalytics';

/** What the backend tells the editor; the language-server connection implements it. */
export interface BackendPeer {
  state(state: ConnectionState): void;
  changed(change: IndexChange): void;
  tail(batch: TailBatch): void;
  log(message: string): void;
}

const RETRY_MS = 5_000;
const STATE_REFRESH_MS = 5_000;

export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
}

function jobItem({ sequences: _sequences, ...job }: JobSummary): JobItem {
  return job;
}

/** One line, as the CLI words it: a denied permission names the operation and the subject. */
function describe(error: unknown): string {
  return describeNatsError(error);
}

/**
 * Owns the NATS connection, the storage, the index and the tails; every request from the editor
 * is answered from here. One connection at a time: a new `connect` replaces the previous one.
 */
export class Backend {
  private settings: BackendSettings | undefined;
  private current: ConnectionState = { phase: 'disconnected', detail: 'Not connected yet.' };
  private storage: EventStorage | undefined;
  private indexer: Indexer | undefined;
  private embedded: EmbeddedNats | undefined;
  private readonly tails = new Map<string, TailSession>();
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(private readonly peer: BackendPeer) {}

  get state(): ConnectionState {
    return this.current;
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
    this.watch(session, generation);
    const indexer = new Indexer(session, {
      progress: (progress) => this.indexProgress(progress),
      changed: (changes) =>
        this.peer.changed({
          reset: changes.reset,
          jobs: [...changes.jobs],
          queues: [...changes.queues],
          workers: [...changes.workers],
          failed: changes.failed,
        }),
      log: (message) => this.peer.log(message),
    }, { snapshotFile: this.snapshotFile(settings, target.settings.servers.join(',')) });
    this.indexer = indexer;
    await indexer.start();
    this.refreshTimer = setInterval(() => void this.refreshStream(), STATE_REFRESH_MS);
    return this.connectedState();
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
    return this.index().listJobs(params);
  }

  getJob(jobId: string): JobItem | null {
    const job = this.indexer?.index.get(jobId);
    return job ? jobItem(job) : null;
  }

  listQueues(): QueueItem[] {
    return this.index().listQueues().map((q) => ({ name: q.name, counts: { ...q.counts }, total: q.total }));
  }

  listWorkers(): WorkerItem[] {
    return this.index()
      .listWorkers()
      .map((w) => ({ id: w.name, counts: { ...w.counts }, total: w.total, lastState: w.lastState, lastSeen: w.lastSeen }));
  }

  stats(): JobStats {
    return structuredClone(this.index().stats);
  }

  /** From the index's sequences by direct get; a filtered read only while the index is still building. */
  async timeline(jobId: string): Promise<Timeline> {
    const storage = this.connected();
    const indexer = this.indexer as Indexer;
    const summary = indexer.index.get(jobId);
    if (indexer.building && !summary) {
      const { events, errors } = await storage.jobEvents(jobId);
      return { jobId, job: null, events, problems: errors.map(problemOf), source: 'consumer' };
    }
    if (!summary) return { jobId, job: null, events: [], problems: [], source: 'index' };
    const read = await readSequences(storage.session, summary.sequences);
    if (read.missing.length > 0) {
      const missing = new Set(read.missing);
      indexer.index.forgetJobSequences(jobId, (seq) => missing.has(seq));
    }
    const job = indexer.index.get(jobId);
    return { jobId, job: job ? jobItem(job) : null, events: read.events, problems: read.errors.map(problemOf), source: 'index' };
  }

  async deleteJob(jobId: string): Promise<{ purged: number }> {
    const storage = this.connected();
    // What the job counted for in the stats goes with it: read its events while they are still there.
    const sequences = this.indexer?.index.get(jobId)?.sequences ?? [];
    const counted = await readSequences(storage.session, sequences).then(
      (read) => read.events,
      (error: unknown) => {
        this.peer.log(`delete ${jobId}: its events could not be read first, so the stats still count them: ${describe(error)}`);
        return [];
      },
    );
    const purged = await storage.deleteJobEvents(jobId);
    this.indexer?.index.removeJob(jobId, counted);
    return { purged };
  }

  async emit(params: EmitParams): Promise<EmitResult> {
    if (typeof params.event?.job_id !== 'string' || typeof params.event.event_type !== 'string') {
      throw new TypeError('an event needs a job_id and an event_type, both strings');
    }
    const ref = await this.connected().store(createEvent(params.event), params.shape);
    return { seq: ref.seq, subject: ref.subject };
  }

  async emitLifecycle(params: LifecycleParams): Promise<{ jobId: string; events: EmitResult[] }> {
    const storage = this.connected();
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
    const storage = this.connected();
    const tailId = randomBytes(6).toString('hex');
    const lastSeq = (await storage.streamInfo()).state.last_seq;
    const start = tailStart(params.backfill, lastSeq);
    const tail = new TailSession(tailId, storage.session, params, start, this.settings?.tailRateLimit ?? 200, (batch) => this.peer.tail(batch), (error) =>
      this.peer.log(`tail ${tailId}: ${error.message}`),
    );
    this.tails.set(tailId, tail);
    return { tailId, pattern: tail.pattern, lastSeq };
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
            this.setState({ ...this.current, phase: 'disconnected', detail: `Lost the connection to ${String(status.data)}; reconnecting…` });
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

  /** After a reconnect the server may have lost the stream (a fresh store): make sure it exists again. */
  private async recovered(session: NatsSession): Promise<void> {
    try {
      await ensureStream(session.jsm, desiredStreamConfig(session.streamName, session.prefix));
      await this.indexer?.reconcile();
      this.connectedState();
    } catch (error) {
      this.setState({ ...this.current, phase: 'degraded', detail: `Reconnected, but the stream is not usable: ${describe(error)}` });
    }
  }

  private async refreshStream(): Promise<void> {
    if (!this.storage || this.current.phase === 'disconnected') return;
    try {
      const info = await this.storage.streamInfo();
      const stream = { name: info.config.name, messages: info.state.messages, bytes: info.state.bytes, lastSeq: info.state.last_seq };
      if (JSON.stringify(stream) !== JSON.stringify(this.current.stream) || this.current.phase !== 'connected') {
        this.setState({ ...this.current, phase: 'connected', detail: this.connectedDetail(), stream });
      }
    } catch (error) {
      this.setState({ ...this.current, phase: 'degraded', detail: `Connected, but the stream is not usable: ${describe(error)}` });
    }
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
      index: this.indexer?.progress(),
    });
  }

  private indexProgress(progress: IndexerProgress): void {
    if (this.current.phase === 'connected' || this.current.phase === 'connecting') this.setState({ ...this.current, index: progress });
  }

  private setState(state: ConnectionState): ConnectionState {
    this.current = state;
    this.peer.state(state);
    return state;
  }

  private async teardown(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearInterval(this.refreshTimer);
    await Promise.all([...this.tails.values()].map((tail) => tail.stop()));
    this.tails.clear();
    await this.indexer?.stop();
    this.indexer = undefined;
    await this.storage?.close();
    this.storage = undefined;
    await this.embedded?.stop();
    this.embedded = undefined;
  }
}
