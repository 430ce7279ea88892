import type { StreamInfo } from 'nats';
import type { NatsSession } from '../storage/session';
import { allFilter } from '../subjects/subject';
import { BulkOutcome, BulkRead } from '../storage/bulkRead';
import { follow } from '../storage/follower';
import { collectGarbage } from '../backend/runtime';
import { delay, withTimeout } from '../util/timeout';
import { IndexRecord, recordFromMessage } from './indexRecord';
import { IndexChanges, JobIndex } from './jobIndex';
import { loadSnapshot, saveSnapshot, StreamIdentity } from './snapshot';
import { StreamHandlers } from '../processor/streamHandlers';

/**
 * Reads by sequence spent per reconcile on building again the jobs that lost some of their events; a
 * job holding more than this many is not built again (the log says so) and keeps counting what is gone.
 */
const REBUILD_READS = 20_000;
/** Reads by sequence in flight at once while building a job again. */
const REBUILD_CONCURRENCY = 16;

/** Below this many events to catch up, the follower alone is quicker to set up than a bulk read. */
const BULK_READ_MIN_EVENTS = 5_000;
/** Events a build indexes between two full garbage collections (see `pushChanges`). */
const COLLECT_EVERY_EVENTS = 1_000_000;

export interface IndexerProgress {
  building: boolean;
  indexedEvents: number;
  targetSequence: number;
  jobs: number;
  maxJobs: number;
  jobsLeftOut: number;
  stalled?: IndexerStall;
}

/** Why the follower's replacements fail, and since when (epoch milliseconds). */
export interface IndexerStall {
  reason: string;
  since: number;
}

export interface IndexerListener {
  progress(progress: IndexerProgress): void;
  changed(changes: IndexChanges): void;
  log(message: string): void;
  /** Each record the index applied, in stream order: what other aggregates follow. */
  applied?(record: IndexRecord): void;
}

export interface IndexerOptions {
  /** Where the snapshot lives; none: always build from the stream. */
  snapshotFile?: string;
  maxJobs?: number;
  /** How often stream state is compared with the index (expiry, purges, a recreated stream). */
  reconcileMs?: number;
  /** How often changes are pushed: many events in a burst make one notification. */
  changeIntervalMs?: number;
  snapshotIntervalMs?: number;
}

/**
 * Builds the index from the stream, then follows it (storage/follower). A build with much to
 * read goes first through a bulk read, the fastest way to get messages; the follower then
 * carries on from wherever it stopped, so a bulk read that ends early loses nothing. Stream state is
 * checked from time to time so expired or purged events and a recreated stream are noticed.
 */
export class Indexer {
  index: JobIndex;
  /** Called for every message after the index took it, and told of removals and resets: see `StreamHandler`. */
  readonly handlers: StreamHandlers;
  /** The stream's first sequence handlers were last told of: every message below it is gone. */
  private toldFirstSeq = 0;
  private stream: StreamIdentity | undefined;
  private streamSubjects: string[] = [];
  private targetSequence = 0;
  /** Messages in the stream when the build began: fewer than the sequences when some expired or were purged. */
  private storedAtStart = 0;
  /** Indexed events at the last progress report. */
  private reportedEvents = -1;
  private reportedLeftOut = 0;
  /** The follower in progress: aborting it ends it, `done` settles once its consumer is deleted. */
  private following: { controller: AbortController; done: Promise<void> } | undefined;
  private bulk: BulkRead | undefined;
  private timers: NodeJS.Timeout[] = [];
  private dirty = false;
  private stopped = false;
  /** While the follower's replacements fail: the lists stop at the last event it delivered. */
  private stalled: IndexerStall | undefined;
  private reconciling = false;
  /**
   * The stream's first sequence and deleted count when its deletions were last compared with the
   * index: while both stay the same no message was deleted, so the list of deletions is not fetched.
   */
  private checkedDeletions: string | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** Indexed events at the build's last full collection (see `pushChanges`). */
  private collectedAt = 0;
  /** Stale jobs too long to build again, named in the log once. */
  private readonly tooLong = new Set<string>();

  constructor(
    private readonly session: NatsSession,
    private readonly listener: IndexerListener,
    private readonly options: IndexerOptions = {},
  ) {
    this.index = new JobIndex(options.maxJobs);
    this.handlers = new StreamHandlers((message) => listener.log(`index: ${message}`));
  }

  get building(): boolean {
    return this.index.lastSeq < this.targetSequence;
  }

  progress(): IndexerProgress {
    const { index } = this;
    const progress: IndexerProgress = { building: this.building, indexedEvents: index.indexedEvents, targetSequence: this.targetSequence, jobs: index.jobCount, maxJobs: index.maxJobs, jobsLeftOut: index.jobsLeftOut };
    if (this.stalled) progress.stalled = this.stalled;
    return progress;
  }

  async start(): Promise<void> {
    const info = await this.session.jsm.streams.info(this.session.streamName);
    const stream = this.takeStream(info);
    if (this.options.snapshotFile) {
      const started = Date.now();
      const outcome = await loadSnapshot(this.options.snapshotFile, stream, this.options.maxJobs);
      const indexLoaded = Date.now();
      // The handlers that keep a state take it at the index's sequence, or the whole snapshot is set aside:
      // a handler going on from there without its state would miss everything before it.
      const refused = !outcome.loaded ? outcome.reason : outcome.index.lastSeq > info.state.last_seq ? 'the snapshot is ahead of the stream' : this.handlers.restore(outcome.states, outcome.index.lastSeq);
      if (outcome.loaded && refused === undefined) {
        this.index = outcome.index;
        const now = Date.now();
        this.listener.log(`index: snapshot at sequence ${this.index.lastSeq} with ${this.index.jobCount} jobs loaded in ${now - started} ms (the index ${indexLoaded - started} ms, the handlers' states ${now - indexLoaded} ms)`);
      } else {
        this.listener.log(`index: building from the stream (${refused})`);
      }
    }
    await this.read();
    this.every(this.options.changeIntervalMs ?? 200, () => this.pushChanges());
    this.every(this.options.reconcileMs ?? 5_000, () => void this.reconcile());
    this.every(this.options.snapshotIntervalMs ?? 30_000, () => void this.save());
    this.listener.progress(this.progress());
    // Now, not at the first tick: deletions made while no backend ran are in a restored snapshot.
    void this.reconcile();
  }

  /**
   * Builds the search text a restored index left out. Call it once the start is reported: a restored index
   * answers everything but a search without it, and a search builds it itself.
   */
  prepareSearch(): void {
    this.index.prepareSearch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.unfollow();
    await this.save();
  }

  /**
   * Saves the snapshot now if anything changed since the last one. Saves run one after another: two
   * writing the same file at once (the end of a build and a stop, say) interleaved into a corrupt one.
   */
  save(): Promise<void> {
    this.saving = this.saving.then(() => this.saveNow());
    return this.saving;
  }

  private async saveNow(): Promise<void> {
    if (!this.options.snapshotFile || !this.stream || !(this.dirty || this.handlers.unsaved()) || this.building) return;
    this.dirty = false;
    try {
      // Taken now, in the same turn as the index's image (before saveSnapshot's first await): both end at its lastSeq.
      await saveSnapshot(this.options.snapshotFile, this.index, this.stream, this.handlers.states());
    } catch (error) {
      this.listener.log(`index: snapshot not saved: ${(error as Error).message}`);
    }
  }

  /** Compares stream state with the index; also run when the connection comes back. */
  async reconcile(): Promise<void> {
    if (this.reconciling || this.stopped || !this.stream) return;
    this.reconciling = true;
    try {
      const info = await this.session.jsm.streams.info(this.session.streamName);
      if (this.stopped) return;
      if (info.created !== this.stream.created) {
        this.listener.log('index: the stream was recreated; rebuilding');
        this.takeStream(info);
        this.checkedDeletions = undefined;
        this.toldFirstSeq = 0;
        this.index.clear();
        this.handlers.reset();
        this.dirty = true;
        await this.unfollow();
        await this.read();
        return;
      }
      const firstSeq = info.state.first_seq;
      const forgotten = this.index.forgetBelow(firstSeq) + (await this.forgetDeleted(info));
      if (firstSeq > this.toldFirstSeq) {
        this.toldFirstSeq = firstSeq;
        this.handlers.removed((seq) => seq < firstSeq);
      }
      if (forgotten > 0) {
        this.dirty = true;
        this.listener.log(`index: ${forgotten} events expired or were deleted from the stream`);
      }
      await this.rebuildStale();
    } catch (error) {
      this.listener.log(`index: stream check failed: ${(error as Error).message}`);
    } finally {
      this.reconciling = false;
    }
  }

  /**
   * Forgets the sequences deleted inside the stream (a purge by subject, a message deleted). The
   * stream lists them itself, so messages the index does not hold (other subjects, undecodable
   * payloads) cannot hide a deletion, as a comparison of message counts let them.
   */
  private async forgetDeleted(info: StreamInfo): Promise<number> {
    const { first_seq: firstSeq, num_deleted: deletedCount } = info.state;
    const mark = `${firstSeq}/${deletedCount}`;
    if (deletedCount === 0 || mark === this.checkedDeletions) return 0;
    const detailed = await this.session.jsm.streams.info(this.session.streamName, { deleted_details: true });
    const deleted = new Set(detailed.state.deleted ?? []);
    const gone = (seq: number): boolean => deleted.has(seq);
    const forgotten = this.index.forgetSequences(gone);
    this.handlers.removed(gone);
    // Messages read before a deletion yet applied after this check would be missed under a mark that
    // is kept: keep it only once the index has caught up with what the list covers.
    if (this.index.lastSeq >= detailed.state.last_seq) this.checkedDeletions = `${detailed.state.first_seq}/${detailed.state.num_deleted}`;
    return forgotten;
  }

  /**
   * Builds again, from what the stream still holds for them (read by sequence), the rows of jobs that
   * lost some of their events: a row counts every event it took in, so without this a job whose
   * "started" was evicted would still count as started, in its old queue and workers, unlike a fresh build.
   */
  private async rebuildStale(): Promise<void> {
    let budget = REBUILD_READS;
    let rebuilt = 0;
    for (const { jobId, seqs } of this.index.staleJobs()) {
      if (this.stopped) return;
      if (seqs.length > REBUILD_READS) {
        if (!this.tooLong.has(jobId)) this.listener.log(`index: job ${jobId} lost some events but holds ${seqs.length}, too many to read again: its summary still counts the lost ones`);
        this.tooLong.add(jobId);
        continue;
      }
      if (seqs.length > budget) break;
      budget -= seqs.length;
      const records = await this.readRecords(seqs);
      if (records && this.index.rebuildJob(jobId, records)) rebuilt++;
    }
    if (rebuilt > 0) this.dirty = true;
  }

  /** The index records of these sequences; undefined when one is gone (the next reconcile forgets it) or unreadable. */
  private async readRecords(seqs: readonly number[]): Promise<IndexRecord[] | undefined> {
    const { jsm, streamName, timeoutMs, prefix } = this.session;
    const records: IndexRecord[] = [];
    let next = 0;
    let complete = true;
    const reader = async (): Promise<void> => {
      while (complete && next < seqs.length) {
        const i = next++;
        try {
          const m = await withTimeout(jsm.streams.getMessage(streamName, { seq: seqs[i] as number }), timeoutMs, 'reading an event by sequence');
          const record = recordFromMessage(prefix, m.subject, m.seq, m.data, m.time.getTime() / 1000);
          if (record) records[i] = record;
          else complete = false;
        } catch {
          complete = false;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REBUILD_CONCURRENCY, seqs.length) }, reader));
    return complete ? records : undefined;
  }

  /** What a build starts from: the stream it reads, up to which sequence, and how much it holds. */
  private takeStream(info: StreamInfo): StreamIdentity {
    this.stream = { name: info.config.name, created: info.created };
    this.streamSubjects = info.config.subjects ?? [];
    this.targetSequence = info.state.last_seq;
    this.storedAtStart = info.state.messages;
    return this.stream;
  }

  private every(ms: number, task: () => void): void {
    this.timers.push(setInterval(task, ms));
  }

  private pushChanges(): void {
    const changes = this.index.takeChanges();
    if (changes) {
      this.dirty = true;
      this.listener.changed(changes);
    }
    // A build tracks no changes, yet its progress must show: whenever it has moved on since the last report.
    // Jobs left out at the index's limit show whenever their number changes.
    const moved = this.index.indexedEvents !== this.reportedEvents;
    // V8 lets the old generation grow to about twice what survived its last full collection: a build's
    // decoded messages took the heap 130 MB past the index's at 10,000,000 events, and the peak with it.
    if (this.building && this.index.indexedEvents - this.collectedAt >= COLLECT_EVERY_EVENTS) {
      this.collectedAt = this.index.indexedEvents;
      collectGarbage();
    }
    if ((this.building && moved) || changes?.reset || this.index.jobsLeftOut !== this.reportedLeftOut) {
      this.reportedEvents = this.index.indexedEvents;
      this.reportedLeftOut = this.index.jobsLeftOut;
      this.listener.progress(this.progress());
    }
  }

  /** Starts reading where the index ends: in bulk when there is much to read, else by following. */
  private async read(): Promise<void> {
    const toRead = Math.min(this.targetSequence - this.index.lastSeq, this.storedAtStart);
    if (toRead < BULK_READ_MIN_EVENTS) return this.follow();
    this.index.setTracking(false);
    this.collectedAt = this.index.indexedEvents;
    const filter = this.filter();
    this.listener.log(`index: reading up to ${toRead} events in bulk`);
    try {
      const bulk = await BulkRead.start(this.session, {
        fromSeq: this.index.lastSeq + 1,
        untilSeq: this.targetSequence,
        ...(filter === undefined ? {} : { filter }),
        message: (subject, seq, data, storedAt) => this.applyMessage(subject, seq, data, storedAt),
      });
      if (this.stopped) return await bulk.stop();
      this.bulk = bulk;
      void bulk.done.then((outcome) => this.bulkDone(bulk, outcome));
    } catch (error) {
      this.listener.log(`index: no bulk read (${(error as Error).message}); reading through the ordered consumer`);
      await this.follow();
    }
  }

  private async bulkDone(bulk: BulkRead, outcome: BulkOutcome): Promise<void> {
    // Stopped on purpose (a stop, a recreated stream): whoever stopped it decides what comes next.
    if (this.bulk !== bulk) return;
    this.bulk = undefined;
    if (outcome.incomplete) this.listener.log(`index: the bulk read ended at sequence ${outcome.lastSeq} because ${outcome.incomplete}; the ordered consumer reads on`);
    if (!this.building) void this.built();
    await this.followUntilStarted();
  }

  /** Undefined when the stream holds only our subjects: no filter is then needed. */
  private filter(): string | undefined {
    // On 2.9 a wildcard filter makes creating a consumer walk the whole stream's subject index;
    // when the filter is the stream's only subject it filters nothing, so it is left out.
    const filter = allFilter(this.session.prefix);
    return this.streamSubjects.length === 1 && this.streamSubjects[0] === filter ? undefined : filter;
  }

  private applyMessage(subject: string, seq: number, data: Uint8Array, storedAt: number): void {
    const record = recordFromMessage(this.session.prefix, subject, seq, data, storedAt);
    if (record) {
      this.index.apply(record);
      this.listener.applied?.(record);
    }
    else this.index.lastSeq = Math.max(this.index.lastSeq, seq);
    this.handlers.message(subject, seq, data, storedAt);
    // Here and not when changes are pushed: a stop between an event and the next push must save it.
    this.dirty = true;
  }

  /**
   * Follows the stream from the last indexed sequence, in order, replacing the consumer whenever it may
   * have missed something (see storage/follower); resolves once the first consumer exists.
   */
  private follow(): Promise<void> {
    // A reconcile or a bulk read that ends after stop() must not start a follower nobody will stop:
    // its consumer would keep the process alive.
    if (this.stopped) return Promise.resolve();
    const controller = new AbortController();
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    let awaitingBuild = this.building;
    this.index.setTracking(!awaitingBuild);
    const filter = this.filter();
    const messages = follow(this.session, {
      ...(filter === undefined ? {} : { filter }),
      start: { from: 'sequence', seq: this.index.lastSeq + 1 },
      signal: controller.signal,
      batch: 10_000,
      onReady: started,
      onReplace: (reason, failure) => {
        this.listener.log(`index: following the stream again from sequence ${this.index.lastSeq + 1} (${reason})`);
        // One failure is a consumer to replace; the replacement failing too is an index that stopped.
        if (failure !== undefined && failure.failures > 1 && this.stalled?.reason !== reason) {
          this.stalled = { reason, since: this.stalled?.since ?? Date.now() };
          this.listener.progress(this.progress());
        }
      },
      onRecovered: () => {
        if (this.stalled === undefined) return;
        this.listener.log(`index: following the stream again, after failing since ${new Date(this.stalled.since).toISOString()}`);
        this.stalled = undefined;
        this.listener.progress(this.progress());
      },
    });
    const done = (async () => {
      for await (const msg of messages) {
        this.applyMessage(msg.subject, msg.seq, msg.data, msg.info.timestampNanos / 1e9);
        if (awaitingBuild && !this.building) {
          awaitingBuild = false;
          void this.built();
        }
      }
    })();
    const following = { controller, done: done.catch(() => undefined) };
    this.following = following;
    return Promise.race([ready, done]).catch((error: unknown) => {
      if (this.following === following) this.following = undefined;
      throw error;
    });
  }

  private async followUntilStarted(): Promise<void> {
    while (!this.stopped && !this.following && !this.bulk) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopped) return;
        this.listener.log(`index: cannot follow the stream yet: ${(error as Error).message}`);
        await delay(1_000);
      }
    }
  }

  private async built(): Promise<void> {
    // The build's garbage first, before the search text and the first snapshot's copies are made: they then
    // take the room it held instead of adding to it (at 10,000,000 events the peak was 100 MB above the index).
    collectGarbage();
    this.index.setTracking(true);
    this.listener.log(`index: built, ${this.index.indexedEvents} events over ${this.index.jobCount} jobs`);
    this.pushChanges();
    this.listener.progress(this.progress());
    this.dirty = true;
    await this.save();
    // Once, after the build's garbage and its first snapshot's copies are both dead: the heap they grew is given back.
    collectGarbage();
    if (this.options.snapshotFile) this.listener.log('index: snapshot saved after the build');
  }

  private async unfollow(): Promise<void> {
    const bulk = this.bulk;
    this.bulk = undefined;
    await bulk?.stop();
    const following = this.following;
    this.following = undefined;
    following?.controller.abort();
    // Bounded: every step of the follower, its consumer's deletion included, has a timeout.
    await following?.done;
  }
}
