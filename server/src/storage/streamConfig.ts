import { DiscardPolicy, JetStreamManager, RetentionPolicy, StorageType, StreamConfig, millis, nanos } from 'nats';
import { SEED_STREAM_LIMITS } from '../config/defaults';

/** The seed's stream limits. */
export interface StreamLimits {
  storage: 'file' | 'memory';
  maxAgeMs: number;
  maxMsgs: number;
  maxBytes: number;
  maxMsgSize: number;
  duplicateWindowMs: number;
  replicas: number;
}

export const SEED_LIMITS: StreamLimits = SEED_STREAM_LIMITS;

export function desiredStreamConfig(name: string, prefix: string, limits: StreamLimits = SEED_LIMITS): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [`${prefix}.>`],
    storage: limits.storage === 'file' ? StorageType.File : StorageType.Memory,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_msgs: limits.maxMsgs,
    max_bytes: limits.maxBytes,
    max_msg_size: limits.maxMsgSize,
    duplicate_window: nanos(limits.duplicateWindowMs),
    num_replicas: limits.replicas,
    allow_direct: true,
  };
}

/** A duplicate window shorter than this dedupes next to no resend: a resend follows an ack timeout of seconds. */
export const MIN_DUPLICATE_WINDOW_MS = 10_000;

/** Why an existing stream cannot serve fully, and what works less well because of it. */
export interface StreamProblem {
  field: 'subjects' | 'allow_direct' | 'max_msg_size' | 'duplicate_window';
  detail: string;
  degrades: string;
}

/** What opening the stream found: created with the seed's limits, or the operator's, left as it is. */
export interface StreamAssessment {
  action: 'created' | 'existing';
  problems: StreamProblem[];
}

/** Whether a stream subject filter covers every subject under `prefix`. */
export function coversPrefix(filter: string, prefix: string): boolean {
  const have = filter.split('.');
  const want = [...prefix.split('.'), '>'];
  for (let i = 0; i < have.length; i++) {
    if (have[i] === '>') return true;
    if (i >= want.length || want[i] === '>') return false;
    if (have[i] !== '*' && have[i] !== want[i]) return false;
  }
  return false;
}

/** How an existing stream's configuration limits what this project can promise, one entry per setting. */
export function assessStream(config: StreamConfig, prefix: string, limits: StreamLimits = SEED_LIMITS): StreamProblem[] {
  const problems: StreamProblem[] = [];
  const subjects = config.subjects ?? [];
  if (!subjects.some((filter) => coversPrefix(filter, prefix))) {
    problems.push({
      field: 'subjects',
      detail: `subjects [${subjects.join(', ')}] do not cover ${prefix}.>`,
      degrades: 'events on uncovered subjects are refused by the server and not stored',
    });
  }
  if (config.allow_direct !== true) {
    problems.push({ field: 'allow_direct', detail: 'direct get is off', degrades: 'single events are read through a consumer instead of a direct get (slower)' });
  }
  if (config.max_msg_size !== undefined && config.max_msg_size >= 0 && config.max_msg_size < limits.maxMsgSize) {
    problems.push({
      field: 'max_msg_size',
      detail: `max_msg_size is ${config.max_msg_size} bytes, below the ${limits.maxMsgSize} an event may take`,
      degrades: `events larger than ${config.max_msg_size} bytes are refused by the server and reported as not stored`,
    });
  }
  const windowMs = millis(config.duplicate_window ?? 0);
  if (windowMs < MIN_DUPLICATE_WINDOW_MS) {
    problems.push({
      field: 'duplicate_window',
      detail: windowMs === 0 ? 'no duplicate window' : `the duplicate window is ${windowMs} ms, below ${MIN_DUPLICATE_WINDOW_MS} ms`,
      degrades: 'next to no dedupe by the server: the logger verifies by message id before a resend',
    });
  }
  return problems;
}

/** One line per problem, for a log or the CLI's stderr. */
export function describeProblems(streamName: string, problems: readonly StreamProblem[]): string[] {
  return problems.map((p) => `stream ${streamName}: ${p.detail}; ${p.degrades}`);
}

/**
 * Creates the stream with the seed's limits when it does not exist. An existing stream is the operator's:
 * it is never updated here, only assessed (see `assessStream`); changing it is `naq-events stream apply`.
 */
export async function ensureStream(jsm: JetStreamManager, desired: Partial<StreamConfig> & { name: string }, prefix: string): Promise<StreamAssessment> {
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(desired.name)).config;
  } catch (error) {
    if ((error as Error).message !== 'stream not found') throw error;
    await jsm.streams.add(desired);
    return { action: 'created', problems: [] };
  }
  return { action: 'existing', problems: assessStream(current, prefix) };
}
