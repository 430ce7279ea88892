/** The defaults live once, in server/src/config/defaults.ts; package.json and every reader agree with them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nanos } from 'nats';
import { checkParams } from '../../server/src/backend/requestRules';
import { DEFAULT_MAX_INDEXED_JOBS, DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX, DEFAULT_TAIL_RATE_LIMIT, MAX_INDEXED_JOBS, MIN_INDEXED_JOBS, SEED_STREAM_LIMITS } from '../../server/src/config/defaults';
import { DEFAULT_SETTINGS, loadSettings } from '../../server/src/config/settings';
import { ConnectRequest } from '../../server/src/protocol/protocol';
import { desiredStreamConfig, SEED_LIMITS } from '../../server/src/storage/streamConfig';
import { backendSettings } from '../support/backendProcess';

interface SettingSchema {
  default?: unknown;
  minimum?: number;
  maximum?: number;
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } | { properties: Record<string, SettingSchema> }[] };
};
const sections = manifest.contributes.configuration;
const properties: Record<string, SettingSchema> = Object.assign({}, ...(Array.isArray(sections) ? sections : [sections]).map((s) => s.properties));

function setting(key: string): SettingSchema {
  const schema = properties[key];
  assert.ok(schema, `package.json contributes no ${key}`);
  return schema;
}

test("package.json's setting defaults are the ones in server/src/config/defaults.ts", () => {
  assert.equal(setting('naq.streamName').default, DEFAULT_STREAM_NAME);
  assert.equal(setting('naq.subjectPrefix').default, DEFAULT_SUBJECT_PREFIX);
  assert.equal(setting('naq.tail.rateLimit').default, DEFAULT_TAIL_RATE_LIMIT);
  assert.equal(setting('naq.index.maxJobs').default, DEFAULT_MAX_INDEXED_JOBS);
});

test('the NAQ_* variables, the backend settings of the tests and the stream all default to the same', () => {
  assert.equal(DEFAULT_SETTINGS.streamName, DEFAULT_STREAM_NAME);
  assert.equal(DEFAULT_SETTINGS.subjectPrefix, DEFAULT_SUBJECT_PREFIX);
  const loaded = loadSettings({});
  assert.equal(loaded.streamName, DEFAULT_STREAM_NAME);
  assert.equal(loaded.subjectPrefix, DEFAULT_SUBJECT_PREFIX);
  const backend = backendSettings();
  assert.deepEqual([backend.streamName, backend.subjectPrefix, backend.tailRateLimit], [DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX, DEFAULT_TAIL_RATE_LIMIT]);
  assert.equal(SEED_LIMITS, SEED_STREAM_LIMITS);
});

test("the tail rate's range in package.json is the range the backend accepts", () => {
  const { minimum, maximum } = setting('naq.tail.rateLimit');
  assert.ok(minimum !== undefined && maximum !== undefined);
  const connect = (tailRateLimit: number): unknown => checkParams(ConnectRequest.method, backendSettings({ tailRateLimit }));
  assert.doesNotThrow(() => connect(minimum));
  assert.doesNotThrow(() => connect(maximum));
  assert.throws(() => connect(minimum - 1), /tailRateLimit/);
  assert.throws(() => connect(maximum + 1), /tailRateLimit/);
});

test("the index's job limit: package.json's range is the one the backend accepts, and the default holds the seed stream's 10M events at five a job", () => {
  const { minimum, maximum } = setting('naq.index.maxJobs');
  assert.deepEqual([minimum, maximum], [MIN_INDEXED_JOBS, MAX_INDEXED_JOBS]);
  const connect = (maxIndexedJobs: number): unknown => checkParams(ConnectRequest.method, backendSettings({ maxIndexedJobs }));
  assert.doesNotThrow(() => connect(MIN_INDEXED_JOBS));
  assert.doesNotThrow(() => connect(MAX_INDEXED_JOBS));
  assert.throws(() => connect(MIN_INDEXED_JOBS - 1), /maxIndexedJobs/);
  assert.throws(() => connect(1_500.5), /maxIndexedJobs/);
  assert.throws(() => connect(MAX_INDEXED_JOBS + 1), /maxIndexedJobs/);
  assert.equal(DEFAULT_MAX_INDEXED_JOBS, SEED_STREAM_LIMITS.maxMsgs / 5);
  const { maxIndexedJobs, ...writtenBefore } = backendSettings();
  assert.equal(maxIndexedJobs, DEFAULT_MAX_INDEXED_JOBS);
  assert.doesNotThrow(() => checkParams(ConnectRequest.method, writtenBefore), "other editors' settings written before the limit still connect");
});

test("the stream limits are the seed's: 168h, 10000000 messages, 10GB, 1MB messages, a 2m duplicate window", () => {
  const config = desiredStreamConfig(DEFAULT_STREAM_NAME, DEFAULT_SUBJECT_PREFIX);
  assert.deepEqual(
    {
      subjects: config.subjects,
      storage: config.storage,
      max_age: config.max_age,
      max_msgs: config.max_msgs,
      max_bytes: config.max_bytes,
      max_msg_size: config.max_msg_size,
      duplicate_window: config.duplicate_window,
    },
    {
      subjects: ['naq.jobs.events.>'],
      storage: 'file',
      max_age: nanos(168 * 3600 * 1000),
      max_msgs: 10_000_000,
      max_bytes: 10 * 2 ** 30,
      max_msg_size: 2 ** 20,
      duplicate_window: nanos(2 * 60 * 1000),
    },
  );
});
