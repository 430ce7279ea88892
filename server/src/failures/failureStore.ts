/**
 * The failures the stream holds, one per job (its latest failed or timed-out event), grouped by signature and
 * by raise site. Fed incrementally: `put` when a failure is known, `remove` when its job's events are gone.
 */
import type { PathMapper, MappedFrame } from './pathMapper';
import { signatureOf, type SignatureKey } from './signature';
import { exceptionType, type ParsedTraceback, type TracebackFrame } from './traceback';
import type { FailedCall } from './failedJobsStream';
import type { TracebackOrigin } from './tracebackSources';

export interface FailureRecord {
  readonly jobId: string;
  /** Stream sequence of the failed event. */
  readonly seq: number;
  /** Epoch seconds of the failed event. */
  readonly time: number;
  readonly queue: string | null;
  readonly worker: string | null;
  /** The event's `error_type` and `error_message` as stored. */
  readonly errorType: string | null;
  readonly errorMessage: string | null;
  readonly traceback?: ParsedTraceback;
  readonly origin?: TracebackOrigin;
  /** The function and argument reprs, from NAQ's failed-jobs stream. */
  readonly call?: FailedCall;
}

/** A failure as the features show it: its type, message, signature and where it lands in the workspace. */
export interface PlacedFailure {
  readonly record: FailureRecord;
  readonly type: string;
  readonly message: string;
  readonly signature: SignatureKey;
  /** The innermost frame that maps into the workspace, and the mapped frames that called it (outermost first). */
  readonly site?: MappedFrame;
  readonly siteFrame?: TracebackFrame;
  readonly callers: readonly { readonly at: MappedFrame; readonly function?: string }[];
}

export interface SignatureSummary {
  readonly signature: SignatureKey;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly queues: readonly string[];
  readonly workers: readonly string[];
  /** Newest first, at most `MAX_SIGNATURE_JOBS`. */
  readonly jobs: readonly string[];
  /** Failures per hour, keyed by the hour's start in epoch seconds. */
  readonly perHour: ReadonlyMap<number, number>;
  readonly site?: MappedFrame;
}

export const MAX_SIGNATURE_JOBS = 50;

interface SignatureEntry {
  readonly key: SignatureKey;
  readonly members: Set<string>;
  readonly perHour: Map<number, number>;
}

const hourOf = (time: number): number => Math.floor(time / 3600) * 3600;

export class FailureStore {
  private readonly failures = new Map<string, PlacedFailure>();
  private readonly signatures = new Map<string, SignatureEntry>();
  private readonly byFile = new Map<string, Set<string>>();

  constructor(private currentMapper: PathMapper) {}

  get mapper(): PathMapper {
    return this.currentMapper;
  }

  get size(): number {
    return this.failures.size;
  }

  get(jobId: string): PlacedFailure | undefined {
    return this.failures.get(jobId);
  }

  /** Adds or replaces a job's failure; returns the workspace files whose failures changed. */
  put(record: FailureRecord): Set<string> {
    const files = this.remove(record.jobId);
    const placed = this.place(record);
    this.failures.set(record.jobId, placed);
    let entry = this.signatures.get(placed.signature.id);
    if (!entry) {
      entry = { key: placed.signature, members: new Set(), perHour: new Map() };
      this.signatures.set(placed.signature.id, entry);
    }
    entry.members.add(record.jobId);
    const hour = hourOf(record.time);
    entry.perHour.set(hour, (entry.perHour.get(hour) ?? 0) + 1);
    if (placed.site) {
      const jobs = this.byFile.get(placed.site.file) ?? new Set<string>();
      jobs.add(record.jobId);
      this.byFile.set(placed.site.file, jobs);
      files.add(placed.site.file);
    }
    return files;
  }

  /** Forgets a job's failure (its events were deleted or expired); returns the files that changed. */
  remove(jobId: string): Set<string> {
    const files = new Set<string>();
    const placed = this.failures.get(jobId);
    if (!placed) {
      return files;
    }
    this.failures.delete(jobId);
    const entry = this.signatures.get(placed.signature.id);
    if (entry) {
      entry.members.delete(jobId);
      const hour = hourOf(placed.record.time);
      const left = (entry.perHour.get(hour) ?? 1) - 1;
      if (left > 0) entry.perHour.set(hour, left);
      else entry.perHour.delete(hour);
      if (entry.members.size === 0) this.signatures.delete(placed.signature.id);
    }
    if (placed.site) {
      const jobs = this.byFile.get(placed.site.file);
      jobs?.delete(jobId);
      if (jobs?.size === 0) this.byFile.delete(placed.site.file);
      files.add(placed.site.file);
    }
    return files;
  }

  /** A new workspace or new mappings place every failure anew; returns every file touched before or after. */
  remap(mapper: PathMapper): Set<string> {
    this.currentMapper = mapper;
    const records = [...this.failures.values()].map((placed) => placed.record);
    const files = new Set(this.byFile.keys());
    this.failures.clear();
    this.signatures.clear();
    this.byFile.clear();
    for (const record of records) for (const file of this.put(record)) files.add(file);
    return files;
  }

  /** Failures whose raise site is in this workspace file, newest first, at or after `since` (epoch seconds). */
  inFile(file: string, since: number): PlacedFailure[] {
    const jobs = this.byFile.get(file);
    if (!jobs) return [];
    return [...jobs]
      .map((jobId) => this.failures.get(jobId) as PlacedFailure)
      .filter((placed) => placed.record.time >= since)
      .sort((a, b) => b.record.time - a.record.time);
  }

  jobIds(): IterableIterator<string> {
    return this.failures.keys();
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  summaries(since: number): SignatureSummary[] {
    return [...this.signatures.values()]
      .map((entry) => this.summarise(entry, since))
      .filter((summary): summary is SignatureSummary => summary !== undefined)
      .sort((a, b) => b.lastSeen - a.lastSeen);
  }

  /** How many signatures `summaries(since)` would list, without summarising them (every publish sends it). */
  signatureCount(since: number): number {
    let count = 0;
    for (const entry of this.signatures.values()) {
      for (const jobId of entry.members) {
        if ((this.failures.get(jobId) as PlacedFailure).record.time >= since) {
          count++;
          break;
        }
      }
    }
    return count;
  }

  summary(signatureId: string, since: number): SignatureSummary | undefined {
    const entry = this.signatures.get(signatureId);
    return entry ? this.summarise(entry, since) : undefined;
  }

  private summarise(entry: SignatureEntry, since: number): SignatureSummary | undefined {
    const members = [...entry.members]
      .map((jobId) => this.failures.get(jobId) as PlacedFailure)
      .filter((placed) => placed.record.time >= since)
      .sort((a, b) => b.record.time - a.record.time);
    if (members.length === 0) return undefined;
    const distinct = (values: (string | null)[]): string[] => [...new Set(values.filter((value): value is string => value !== null))].sort();
    return {
      signature: entry.key,
      count: members.length,
      firstSeen: members[members.length - 1].record.time,
      lastSeen: members[0].record.time,
      queues: distinct(members.map((placed) => placed.record.queue)),
      workers: distinct(members.map((placed) => placed.record.worker)),
      jobs: members.slice(0, MAX_SIGNATURE_JOBS).map((placed) => placed.record.jobId),
      perHour: new Map(entry.perHour),
      ...(members[0].site ? { site: members[0].site } : {}),
    };
  }

  private place(record: FailureRecord): PlacedFailure {
    const raised = record.traceback?.raised;
    const type = exceptionType(record.errorType ?? undefined, record.traceback) ?? 'Error';
    const message = record.errorMessage || raised?.message || '';
    const frames = raised?.frames ?? [];
    const mapped = frames.map((frame) => ({ frame, mapped: this.currentMapper.mapFrame(frame) }));
    const innermost = [...mapped].reverse().find((entry) => entry.mapped !== undefined);
    const callers = innermost ? mapped.slice(0, mapped.indexOf(innermost)).flatMap((entry) => (entry.mapped ? [{ at: entry.mapped, function: entry.frame.function }] : [])) : [];
    const signature = signatureOf(type, message, { file: innermost?.mapped?.file, function: innermost?.frame.function });
    return {
      record,
      type,
      message,
      signature,
      callers,
      ...(innermost?.mapped ? { site: innermost.mapped, siteFrame: innermost.frame } : {}),
    };
  }
}
