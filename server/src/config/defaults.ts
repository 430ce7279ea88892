/**
 * The defaults the CLI, the backend and the extension share, in one place: the seed's stream name,
 * subject prefix and stream limits, and the editor's tail rate. package.json's contributed setting
 * defaults are held to these by test/unit/config.defaults.test.ts.
 */

/** NAQ_NATS_STREAM_NAME, `--stream`, `naq.streamName`. */
export const DEFAULT_STREAM_NAME = 'NAQ_JOB_EVENTS';

/** NAQ_NATS_SUBJECT_PREFIX, `--prefix`, `naq.subjectPrefix`. */
export const DEFAULT_SUBJECT_PREFIX = 'naq.jobs.events';

/** Tail events per second pushed to the editor before skipping (`naq.tail.rateLimit`). */
export const DEFAULT_TAIL_RATE_LIMIT = 200;

/**
 * Jobs the backend's index holds before it lets the least recently active go (`naq.index.maxJobs`):
 * the seed's stream at its 10,000,000-message limit, with NAQ's five events per job, holds 2,000,000.
 */
export const DEFAULT_MAX_INDEXED_JOBS = 2_000_000;
/** The range `naq.index.maxJobs` may take. */
export const MIN_INDEXED_JOBS = 1_000;
export const MAX_INDEXED_JOBS = 50_000_000;

/** The seed's stream limits ("NATS JetStream Configuration"), for a stream this project creates. */
export const SEED_STREAM_LIMITS = Object.freeze({
  storage: 'file',
  /** 168h */
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxMsgs: 10_000_000,
  /** 10GB */
  maxBytes: 10 * 1024 * 1024 * 1024,
  /** 1MB */
  maxMsgSize: 1024 * 1024,
  /** 2m */
  duplicateWindowMs: 2 * 60 * 1000,
  replicas: 1,
} as const);
