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
