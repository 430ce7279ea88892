import { ConfigError, invalidValue } from './configError';
import { DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX } from './defaults';
import { literalSubjectProblem, streamNameProblem } from './natsNames';
import { DEFAULT_SERVER_URL, parseServerList } from './serverUrls';

/** Python logging level names NAQ accepts (`WARN` and `FATAL` are read as their aliases). */
export type NaqLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/**
 * NAQ's settings as its `NAQ_*` environment variables give them (seed: "Configuration & Setup"),
 * validated, with durations in milliseconds.
 */
export interface NaqSettings {
  /** NAQ_LOG_LEVEL, default INFO. */
  logLevel: NaqLogLevel;
  /** NAQ_DISABLE_LOGGING (1/true/0/false), default false. */
  disableLogging: boolean;
  /** NAQ_JOB_QUEUE_TYPE; only "nats" exists. */
  jobQueueType: 'nats';
  /**
   * NAQ_JOB_QUEUE_URL, default nats://127.0.0.1:4222. May carry credentials
   * (`nats://user:pass@host`): log it through `redactUrl`, never as is.
   */
  jobQueueUrl: string;
  /** NAQ_EVENT_STORAGE_URL, default nats://127.0.0.1:4222. Same caveat as `jobQueueUrl`. */
  eventStorageUrl: string;
  /** NAQ_NATS_STREAM_NAME, default NAQ_JOB_EVENTS. */
  streamName: string;
  /** NAQ_NATS_SUBJECT_PREFIX, default naq.jobs.events. */
  subjectPrefix: string;
  /** NAQ_NATS_CONNECTION_TIMEOUT (seconds, default 10.0), in milliseconds. */
  connectionTimeoutMs: number;
  /** NAQ_NATS_MAX_RECONNECT_ATTEMPTS, default 10; -1 retries forever. */
  maxReconnectAttempts: number;
  /** NAQ_DEFAULT_WORKER, default "async". */
  defaultWorker: string;
  /** NAQ_JOB_TTL (whole seconds, default 3600), in milliseconds. */
  jobTtlMs: number;
  /** NAQ_EVENT_BATCH_SIZE, default 100: events the logger publishes per batch. */
  eventBatchSize: number;
  /** NAQ_EVENT_FLUSH_INTERVAL (seconds, default 5.0), in milliseconds. */
  eventFlushIntervalMs: number;
  /** NAQ_EVENT_MAX_BUFFER_SIZE, default 10000: events the logger holds before refusing more. */
  eventMaxBufferSize: number;
}

/** Every variable `loadSettings` reads. */
export const NAQ_ENV_VARS = [
  'NAQ_LOG_LEVEL',
  'NAQ_DISABLE_LOGGING',
  'NAQ_JOB_QUEUE_TYPE',
  'NAQ_JOB_QUEUE_URL',
  'NAQ_EVENT_STORAGE_URL',
  'NAQ_NATS_STREAM_NAME',
  'NAQ_NATS_SUBJECT_PREFIX',
  'NAQ_NATS_CONNECTION_TIMEOUT',
  'NAQ_NATS_MAX_RECONNECT_ATTEMPTS',
  'NAQ_DEFAULT_WORKER',
  'NAQ_JOB_TTL',
  'NAQ_EVENT_BATCH_SIZE',
  'NAQ_EVENT_FLUSH_INTERVAL',
  'NAQ_EVENT_MAX_BUFFER_SIZE',
] as const;
export type NaqEnvVar = (typeof NAQ_ENV_VARS)[number];

export const DEFAULT_SETTINGS: Readonly<NaqSettings> = Object.freeze({
  logLevel: 'INFO',
  disableLogging: false,
  jobQueueType: 'nats',
  jobQueueUrl: DEFAULT_SERVER_URL,
  eventStorageUrl: DEFAULT_SERVER_URL,
  streamName: DEFAULT_STREAM_NAME,
  subjectPrefix: DEFAULT_SUBJECT_PREFIX,
  connectionTimeoutMs: 10_000,
  maxReconnectAttempts: 10,
  defaultWorker: 'async',
  jobTtlMs: 3_600_000,
  eventBatchSize: 100,
  eventFlushIntervalMs: 5_000,
  eventMaxBufferSize: 10_000,
});

/** Longest duration Node timers honour (2^31-1 ms); a longer one would fire at once. */
const MAX_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);
const DECIMAL = /^\+?(\d+(_\d+)*(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+(_\d+)*$/;
const LOG_LEVELS: Readonly<Record<string, NaqLogLevel>> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARNING: 'WARNING',
  WARN: 'WARNING',
  ERROR: 'ERROR',
  CRITICAL: 'CRITICAL',
  FATAL: 'CRITICAL',
};

/** The value of a variable, trimmed; unset and blank both read as "not set". */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function seconds(name: NaqEnvVar, raw: string): number {
  const expected = `a positive number of seconds (e.g. 10 or 2.5), at most ${MAX_TIMER_SECONDS}`;
  if (!DECIMAL.test(raw)) throw invalidValue(name, raw, expected);
  const value = Number(raw.replace(/_/g, ''));
  const ms = Math.round(value * 1000);
  if (!Number.isFinite(value) || ms < 1 || value > MAX_TIMER_SECONDS) throw invalidValue(name, raw, expected);
  return ms;
}

function integer(name: NaqEnvVar, raw: string, min: number, expected: string): number {
  const value = INTEGER.test(raw) ? Number(raw.replace(/_/g, '')) : NaN;
  if (!Number.isSafeInteger(value) || value < min) throw invalidValue(name, raw, expected);
  return value;
}

/**
 * Reads NAQ's settings from the environment. Unset or blank variables take the seed's defaults
 * (except that URLs default to 127.0.0.1 rather than localhost). Any value that NAQ would misread
 * or that makes no sense throws a `ConfigError` naming the variable, the value and what is expected.
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): NaqSettings {
  const get = (name: NaqEnvVar): string | undefined => envValue(env, name);
  const s: NaqSettings = { ...DEFAULT_SETTINGS };

  const logLevel = get('NAQ_LOG_LEVEL');
  if (logLevel !== undefined) {
    const level = LOG_LEVELS[logLevel.toUpperCase()];
    if (level === undefined) throw invalidValue('NAQ_LOG_LEVEL', logLevel, 'one of DEBUG, INFO, WARNING, ERROR, CRITICAL');
    s.logLevel = level;
  }

  const disable = get('NAQ_DISABLE_LOGGING');
  if (disable !== undefined) {
    // NAQ reads "1"/"true" as true and anything else as false; a typo like "yes" would silently
    // keep logging on there, so only the unambiguous spellings are accepted here.
    const lower = disable.toLowerCase();
    if (lower === '1' || lower === 'true') s.disableLogging = true;
    else if (lower === '0' || lower === 'false') s.disableLogging = false;
    else throw invalidValue('NAQ_DISABLE_LOGGING', disable, '1, true, 0 or false');
  }

  const queueType = get('NAQ_JOB_QUEUE_TYPE');
  if (queueType !== undefined) {
    if (queueType.toLowerCase() !== 'nats') throw invalidValue('NAQ_JOB_QUEUE_TYPE', queueType, '"nats" (the only queue type NAQ has)');
  }

  for (const [name, key] of [
    ['NAQ_JOB_QUEUE_URL', 'jobQueueUrl'],
    ['NAQ_EVENT_STORAGE_URL', 'eventStorageUrl'],
  ] as const) {
    const url = get(name);
    if (url !== undefined) {
      parseServerList(url, name); // throws a ConfigError with the URL redacted
      s[key] = url;
    }
  }

  const stream = get('NAQ_NATS_STREAM_NAME');
  if (stream !== undefined) {
    const problem = streamNameProblem(stream);
    if (problem !== undefined) {
      throw invalidValue('NAQ_NATS_STREAM_NAME', stream, `a JetStream stream name without whitespace, ".", "*", ">", "/" or "\\" (${problem})`);
    }
    s.streamName = stream;
  }

  const prefix = get('NAQ_NATS_SUBJECT_PREFIX');
  if (prefix !== undefined) {
    const problem = literalSubjectProblem(prefix);
    if (problem !== undefined) {
      throw invalidValue('NAQ_NATS_SUBJECT_PREFIX', prefix, `dot-separated subject tokens without wildcards or whitespace, like naq.jobs.events (${problem})`);
    }
    s.subjectPrefix = prefix;
  }

  const timeout = get('NAQ_NATS_CONNECTION_TIMEOUT');
  if (timeout !== undefined) s.connectionTimeoutMs = seconds('NAQ_NATS_CONNECTION_TIMEOUT', timeout);

  const reconnects = get('NAQ_NATS_MAX_RECONNECT_ATTEMPTS');
  if (reconnects !== undefined) {
    s.maxReconnectAttempts = integer('NAQ_NATS_MAX_RECONNECT_ATTEMPTS', reconnects, -1, 'a whole number >= 0, or -1 to retry forever');
  }

  const worker = get('NAQ_DEFAULT_WORKER');
  if (worker !== undefined) {
    if (/\s/.test(worker)) throw invalidValue('NAQ_DEFAULT_WORKER', worker, 'a worker type name without whitespace, like "async"');
    s.defaultWorker = worker;
  }

  const ttl = get('NAQ_JOB_TTL');
  if (ttl !== undefined) s.jobTtlMs = integer('NAQ_JOB_TTL', ttl, 0, 'a whole number of seconds >= 0 (e.g. 3600)') * 1000;

  const batch = get('NAQ_EVENT_BATCH_SIZE');
  if (batch !== undefined) s.eventBatchSize = integer('NAQ_EVENT_BATCH_SIZE', batch, 1, 'a whole number >= 1');

  const flush = get('NAQ_EVENT_FLUSH_INTERVAL');
  if (flush !== undefined) s.eventFlushIntervalMs = seconds('NAQ_EVENT_FLUSH_INTERVAL', flush);

  const buffer = get('NAQ_EVENT_MAX_BUFFER_SIZE');
  if (buffer !== undefined) s.eventMaxBufferSize = integer('NAQ_EVENT_MAX_BUFFER_SIZE', buffer, 1, 'a whole number >= 1');

  if (s.eventMaxBufferSize < s.eventBatchSize) {
    throw new ConfigError(
      `NAQ_EVENT_MAX_BUFFER_SIZE=${s.eventMaxBufferSize} is smaller than NAQ_EVENT_BATCH_SIZE=${s.eventBatchSize}: ` +
        'expected the buffer to hold at least one batch',
      { setting: 'NAQ_EVENT_MAX_BUFFER_SIZE' },
    );
  }
  return s;
}
