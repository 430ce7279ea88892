import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, outageChanged, outageOf, staleDescription, staleMessage, staleSince } from '../../client/src/views/staleness';

const since = new Date(2026, 11, 5, 9, 7, 30).getTime();

test('the stale marking names the local time the outage began and its cause', () => {
  assert.equal(clockTime(since), '09:07');
  assert.equal(staleSince({ since, cause: 'not-answering' }), 'stale since 09:07 — NATS not answering');
  assert.equal(staleSince({ since, cause: 'lost' }), 'stale since 09:07 — NATS connection lost');
  assert.match(staleMessage({ since, cause: 'not-answering' }), /^Stale since 09:07 — NATS not answering\. Showing the last known data/);
});

test('a view keeps its live description, with the staleness after it, and gets it back when the outage ends', () => {
  const outage = { since, cause: 'lost' } as const;
  assert.equal(staleDescription('3 queues', outage), '3 queues · stale since 09:07 — NATS connection lost');
  assert.equal(staleDescription(undefined, outage), 'stale since 09:07 — NATS connection lost');
  assert.equal(staleDescription('3 queues', undefined), '3 queues');
});

test('only a disconnection after an unplanned loss is an outage, and the marking changes with its start, cause or end', () => {
  const outage = { since, cause: 'lost' } as const;
  assert.deepEqual(outageOf({ phase: 'disconnected', detail: '', outage }), outage);
  assert.equal(outageOf({ phase: 'disconnected', detail: 'Disconnected' }), undefined);
  assert.equal(outageOf({ phase: 'connected', detail: '', outage }), undefined, 'a stale outage field of a connected state is no outage');
  assert.equal(outageChanged(undefined, outage), true);
  assert.equal(outageChanged(outage, { ...outage }), false);
  assert.equal(outageChanged(outage, { since, cause: 'not-answering' }), true);
  assert.equal(outageChanged(outage, undefined), true);
  assert.equal(outageChanged(undefined, undefined), false);
});
