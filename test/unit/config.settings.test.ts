import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../server/src/config/configError';
import { DEFAULT_SETTINGS, loadSettings, NAQ_ENV_VARS } from '../../server/src/config/settings';

/** Asserts loadSettings(env) throws a ConfigError whose message names the variable, the value and what is expected. */
function assertRejected(env: NodeJS.ProcessEnv, variable: string, shown: string, expected: RegExp): void {
  assert.throws(
    () => loadSettings(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
      assert.ok(err.message.includes(variable), `message names ${variable}: ${err.message}`);
      assert.ok(err.message.includes(JSON.stringify(shown)), `message shows the value ${shown}: ${err.message}`);
      assert.match(err.message, expected);
      assert.equal(err.setting, variable);
      return true;
    },
  );
}

describe('loadSettings', () => {
  test('defaults follow the seed (URLs on 127.0.0.1), durations in ms', () => {
    const s = loadSettings({});
    assert.deepEqual(s, {
      logLevel: 'INFO',
      disableLogging: false,
      jobQueueType: 'nats',
      jobQueueUrl: 'nats://127.0.0.1:4222',
      eventStorageUrl: 'nats://127.0.0.1:4222',
      streamName: 'NAQ_JOB_EVENTS',
      subjectPrefix: 'naq.jobs.events',
      connectionTimeoutMs: 10_000,
      maxReconnectAttempts: 10,
      defaultWorker: 'async',
      jobTtlMs: 3_600_000,
      eventBatchSize: 100,
      eventFlushIntervalMs: 5_000,
      eventMaxBufferSize: 10_000,
    });
    assert.deepEqual(s, { ...DEFAULT_SETTINGS });
    assert.notEqual(s, DEFAULT_SETTINGS, 'a fresh object each time');
  });

  test('reads every NAQ_* variable', () => {
    const s = loadSettings({
      NAQ_LOG_LEVEL: 'debug',
      NAQ_DISABLE_LOGGING: 'TRUE',
      NAQ_JOB_QUEUE_TYPE: 'nats',
      NAQ_JOB_QUEUE_URL: 'nats://queue:4223',
      NAQ_EVENT_STORAGE_URL: 'nats://a:4222,nats://b:4222',
      NAQ_NATS_STREAM_NAME: 'MY_EVENTS-2',
      NAQ_NATS_SUBJECT_PREFIX: 'acme.naq.events',
      NAQ_NATS_CONNECTION_TIMEOUT: '2.5',
      NAQ_NATS_MAX_RECONNECT_ATTEMPTS: '-1',
      NAQ_DEFAULT_WORKER: 'thread',
      NAQ_JOB_TTL: '60',
      NAQ_EVENT_BATCH_SIZE: '50',
      NAQ_EVENT_FLUSH_INTERVAL: '0.25',
      NAQ_EVENT_MAX_BUFFER_SIZE: '1_000',
    });
    assert.deepEqual(s, {
      logLevel: 'DEBUG',
      disableLogging: true,
      jobQueueType: 'nats',
      jobQueueUrl: 'nats://queue:4223',
      eventStorageUrl: 'nats://a:4222,nats://b:4222',
      streamName: 'MY_EVENTS-2',
      subjectPrefix: 'acme.naq.events',
      connectionTimeoutMs: 2_500,
      maxReconnectAttempts: -1,
      defaultWorker: 'thread',
      jobTtlMs: 60_000,
      eventBatchSize: 50,
      eventFlushIntervalMs: 250,
      eventMaxBufferSize: 1_000,
    });
  });

  test('NAQ_ENV_VARS lists what is read', () => {
    assert.equal(NAQ_ENV_VARS.length, 14);
    for (const name of NAQ_ENV_VARS) assert.match(name, /^NAQ_[A-Z_]+$/);
  });

  test('blank values count as unset; surrounding space is ignored', () => {
    const s = loadSettings({ NAQ_NATS_CONNECTION_TIMEOUT: '', NAQ_NATS_STREAM_NAME: '   ', NAQ_EVENT_BATCH_SIZE: ' 7 ' });
    assert.equal(s.connectionTimeoutMs, 10_000);
    assert.equal(s.streamName, 'NAQ_JOB_EVENTS');
    assert.equal(s.eventBatchSize, 7);
  });

  test('log level aliases and booleans', () => {
    assert.equal(loadSettings({ NAQ_LOG_LEVEL: 'warn' }).logLevel, 'WARNING');
    assert.equal(loadSettings({ NAQ_LOG_LEVEL: 'FATAL' }).logLevel, 'CRITICAL');
    assert.equal(loadSettings({ NAQ_DISABLE_LOGGING: '1' }).disableLogging, true);
    assert.equal(loadSettings({ NAQ_DISABLE_LOGGING: 'false' }).disableLogging, false);
    assert.equal(loadSettings({ NAQ_DISABLE_LOGGING: '0' }).disableLogging, false);
    assertRejected({ NAQ_LOG_LEVEL: 'verbose' }, 'NAQ_LOG_LEVEL', 'verbose', /expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL/);
    assertRejected({ NAQ_DISABLE_LOGGING: 'yes' }, 'NAQ_DISABLE_LOGGING', 'yes', /expected 1, true, 0 or false/);
  });

  test('timeouts: seconds as numbers, kept as ms', () => {
    assert.equal(loadSettings({ NAQ_NATS_CONNECTION_TIMEOUT: '10' }).connectionTimeoutMs, 10_000);
    assert.equal(loadSettings({ NAQ_NATS_CONNECTION_TIMEOUT: '.5' }).connectionTimeoutMs, 500);
    assert.equal(loadSettings({ NAQ_NATS_CONNECTION_TIMEOUT: '1e1' }).connectionTimeoutMs, 10_000);
    assertRejected({ NAQ_NATS_CONNECTION_TIMEOUT: 'abc' }, 'NAQ_NATS_CONNECTION_TIMEOUT', 'abc', /expected a positive number of seconds/);
    for (const bad of ['-1', '0', '0.0001', 'inf', 'NaN', '10s', '1,5', '9999999999']) {
      assertRejected({ NAQ_NATS_CONNECTION_TIMEOUT: bad }, 'NAQ_NATS_CONNECTION_TIMEOUT', bad, /expected a positive number of seconds/);
    }
    assertRejected({ NAQ_EVENT_FLUSH_INTERVAL: '-5' }, 'NAQ_EVENT_FLUSH_INTERVAL', '-5', /expected a positive number of seconds/);
  });

  test('counts and sizes', () => {
    assertRejected({ NAQ_EVENT_BATCH_SIZE: '-1' }, 'NAQ_EVENT_BATCH_SIZE', '-1', /expected a whole number >= 1/);
    assertRejected({ NAQ_EVENT_BATCH_SIZE: '0' }, 'NAQ_EVENT_BATCH_SIZE', '0', /expected a whole number >= 1/);
    assertRejected({ NAQ_EVENT_BATCH_SIZE: '1.5' }, 'NAQ_EVENT_BATCH_SIZE', '1.5', /expected a whole number >= 1/);
    assertRejected({ NAQ_EVENT_MAX_BUFFER_SIZE: '-10' }, 'NAQ_EVENT_MAX_BUFFER_SIZE', '-10', /expected a whole number >= 1/);
    assertRejected({ NAQ_JOB_TTL: '3600.0' }, 'NAQ_JOB_TTL', '3600.0', /expected a whole number of seconds >= 0/);
    assertRejected({ NAQ_JOB_TTL: '-1' }, 'NAQ_JOB_TTL', '-1', /expected a whole number of seconds >= 0/);
    assert.equal(loadSettings({ NAQ_JOB_TTL: '0' }).jobTtlMs, 0);
    assert.equal(loadSettings({ NAQ_NATS_MAX_RECONNECT_ATTEMPTS: '0' }).maxReconnectAttempts, 0);
    assertRejected({ NAQ_NATS_MAX_RECONNECT_ATTEMPTS: '-2' }, 'NAQ_NATS_MAX_RECONNECT_ATTEMPTS', '-2', /or -1 to retry forever/);
    assertRejected({ NAQ_NATS_MAX_RECONNECT_ATTEMPTS: 'forever' }, 'NAQ_NATS_MAX_RECONNECT_ATTEMPTS', 'forever', /-1/);
  });

  test('the buffer must hold at least one batch', () => {
    assert.throws(
      () => loadSettings({ NAQ_EVENT_BATCH_SIZE: '500', NAQ_EVENT_MAX_BUFFER_SIZE: '100' }),
      (err: unknown) =>
        err instanceof ConfigError && /NAQ_EVENT_MAX_BUFFER_SIZE=100 is smaller than NAQ_EVENT_BATCH_SIZE=500/.test(err.message),
    );
  });

  test('stream names must be valid JetStream stream names', () => {
    for (const bad of ['NAQ JOB', 'naq.events', 'NAQ*', 'NAQ>', 'a/b', 'a\\b', 'tab\there', 'x'.repeat(256)]) {
      assertRejected({ NAQ_NATS_STREAM_NAME: bad }, 'NAQ_NATS_STREAM_NAME', bad, /expected a JetStream stream name/);
    }
  });

  test('subject prefix must be literal subject tokens', () => {
    for (const bad of ['naq..events', '.naq', 'naq.', 'naq.*', 'naq.>', 'naq.jobs*', 'na q', 'naq.\tx']) {
      assertRejected({ NAQ_NATS_SUBJECT_PREFIX: bad }, 'NAQ_NATS_SUBJECT_PREFIX', bad, /expected dot-separated subject tokens without wildcards/);
    }
    assert.equal(loadSettings({ NAQ_NATS_SUBJECT_PREFIX: 'naq' }).subjectPrefix, 'naq');
  });

  test('queue type and worker', () => {
    assertRejected({ NAQ_JOB_QUEUE_TYPE: 'redis' }, 'NAQ_JOB_QUEUE_TYPE', 'redis', /expected "nats"/);
    assertRejected({ NAQ_DEFAULT_WORKER: 'my worker' }, 'NAQ_DEFAULT_WORKER', 'my worker', /without whitespace/);
  });

  test('URLs are validated and their passwords never appear in errors', () => {
    assertRejected({ NAQ_EVENT_STORAGE_URL: 'http://x:4222' }, 'NAQ_EVENT_STORAGE_URL', 'http://x:4222', /unsupported scheme/);
    assertRejected({ NAQ_JOB_QUEUE_URL: 'ws://x:80' }, 'NAQ_JOB_QUEUE_URL', 'ws://x:80', /websocket/);
    assert.throws(
      () => loadSettings({ NAQ_EVENT_STORAGE_URL: 'nats://naq:s3cr3t@host:99999' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.ok(!err.message.includes('s3cr3t'), err.message);
        assert.match(err.message, /NAQ_EVENT_STORAGE_URL="nats:\/\/\*\*\*@host:99999" is invalid/);
        return true;
      },
    );
    // A URL with user info is accepted (nats-py accepts it) and kept as given.
    assert.equal(loadSettings({ NAQ_EVENT_STORAGE_URL: 'nats://naq:pw@host:4222' }).eventStorageUrl, 'nats://naq:pw@host:4222');
  });
});
