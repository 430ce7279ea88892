/**
 * Where a failed job's traceback is found, in order: the failed event's own `details`, then NAQ's result bucket
 * (`naq_results`, key = job id). A bucket that does not exist is not used and never created; values are read
 * lazily and watched so that a result written after its event still reaches the failure.
 */
import { KvWatchInclude, type KV, type QueuedIterator, type KvEntry } from 'nats';
import { directGet } from '../storage/directGet';
import type { NatsSession } from '../storage/session';
import { decodeResultValue, NaqValueError } from './naqValues';
import { parseTraceback, type ParsedTraceback, type RaisedTraceback, type TracebackFrame } from './traceback';

export type TracebackOrigin = 'details' | 'result' | 'failed-jobs';

export interface FoundTraceback {
  readonly traceback: RaisedTraceback;
  readonly origin: TracebackOrigin;
}

export const DEFAULT_RESULT_BUCKET = 'naq_results';

/** The bucket name: the setting, else the worker's own environment variable, else NAQ's default. */
export function resultBucketName(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return setting || env.NAQ_RESULT_KV_BUCKET || DEFAULT_RESULT_BUCKET;
}

function frameOf(value: unknown): TracebackFrame | undefined {
  if (!value || typeof value !== 'object') {
    return undefined;
  }
  const { filename, lineno, name, line } = value as Record<string, unknown>;
  if (typeof filename !== 'string' || typeof lineno !== 'number' || !Number.isInteger(lineno) || lineno < 1) {
    return undefined;
  }
  return {
    file: filename,
    line: lineno,
    ...(typeof name === 'string' ? { function: name } : {}),
    ...(typeof line === 'string' && line.trim() !== '' ? { source: line.trim() } : {}),
  };
}

/** A traceback in an event's details: `traceback` (text or lines), `stack`, or structured `frames`. */
export function tracebackFromDetails(details: Record<string, unknown> | undefined, errorType: string | null, errorMessage: string | null): ParsedTraceback | undefined {
  if (!details) {
    return undefined;
  }
  for (const key of ['traceback', 'stack']) {
    const value = details[key];
    const lines = Array.isArray(value) && value.every((line) => typeof line === 'string') ? (value as string[]) : undefined;
    const parsed = typeof value === 'string' ? parseTraceback(value) : lines ? parseTraceback(lines) : undefined;
    if (parsed) {
      return parsed;
    }
  }
  if (Array.isArray(details.frames)) {
    const frames = details.frames.map(frameOf).filter((frame): frame is TracebackFrame => frame !== undefined);
    if (frames.length > 0) {
      const raised = { type: errorType ?? '', message: errorMessage ?? '', frames };
      return { language: 'python', raised, chain: [raised] };
    }
  }
  return undefined;
}

function isNotFound(error: unknown): boolean {
  return /no message found|message not found|stream not found|404/i.test((error as Error).message ?? '');
}

/**
 * NAQ's result bucket on one connection: absent buckets answer nothing. Nothing read is kept here: the failure
 * store keeps what it places, and a value written after a lookup is announced by the watch, which reads again.
 * A cache of every job's parsed value, filled also by the watch from every result NAQ writes (completed jobs'
 * included), grew with the bucket, one entry per job.
 */
export class ResultBucket {
  private exists: Promise<boolean> | undefined;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private closed = false;

  constructor(
    private readonly session: NatsSession,
    readonly bucket: string,
    /** A value was written or deleted for a job (NAQ writes the result next to the failed event). */
    private readonly written: (jobId: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  async traceback(jobId: string): Promise<ParsedTraceback | undefined> {
    if (!/^[-/_=.a-zA-Z0-9]{1,256}$/.test(jobId) || !(await this.available())) {
      return undefined;
    }
    try {
      const msg = await directGet(this.session.jsm, `KV_${this.bucket}`, { last_by_subj: `$KV.${this.bucket}.${jobId}` });
      return this.parse(jobId, msg.data) ?? undefined;
    } catch (error) {
      if (!isNotFound(error)) {
        throw error;
      }
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.stop();
  }

  private parse(jobId: string, data: Uint8Array): ParsedTraceback | null {
    if (data.length === 0) {
      return null;
    }
    try {
      const value = decodeResultValue(data);
      return value.traceback ? (parseTraceback(value.traceback) ?? null) : null;
    } catch (error) {
      if (error instanceof NaqValueError) {
        this.log(`failures: ${this.bucket}/${jobId}: ${error.message}`);
        return null;
      }
      throw error;
    }
  }

  private available(): Promise<boolean> {
    this.exists ??= this.session.jsm.streams.info(`KV_${this.bucket}`).then(
      async () => {
        await this.watch();
        return true;
      },
      (error: unknown) => {
        if (!isNotFound(error)) {
          this.log(`failures: result bucket ${this.bucket} not usable: ${(error as Error).message}`);
        }
        return false;
      },
    );
    return this.exists;
  }

  private async watch(): Promise<void> {
    const kv: KV = await this.session.js.views.kv(this.bucket, { bindOnly: true });
    if (this.closed) {
      return;
    }
    this.watcher = await kv.watch({ include: KvWatchInclude.UpdatesOnly });
    void (async () => {
      for await (const entry of this.watcher as QueuedIterator<KvEntry>) {
        this.written(entry.key);
      }
    })().catch((error: unknown) => this.log(`failures: watching ${this.bucket} stopped: ${(error as Error).message}`));
  }
}
