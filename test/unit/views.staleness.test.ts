import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, stalenessChanged, stalenessOf, staleDescription, staleMessage, staleSince } from '../../client/src/views/staleness';

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
  assert.deepEqual(stalenessOf({ phase: 'disconnected', detail: '', outage }), outage);
  assert.equal(stalenessOf({ phase: 'disconnected', detail: 'Disconnected' }), undefined);
  assert.equal(stalenessOf({ phase: 'connected', detail: '', outage }), undefined, 'a stale outage field of a connected state is no outage');
  assert.equal(stalenessChanged(undefined, outage), true);
  assert.equal(stalenessChanged(outage, { ...outage }), false);
  assert.equal(stalenessChanged(outage, { since, cause: 'not-answering' }), true);
  assert.equal(stalenessChanged(outage, undefined), true);
  assert.equal(stalenessChanged(undefined, undefined), false);
});

test('an index that cannot follow the stream while NATS answers makes the rows stale too, until it follows again', () => {
  const index = { building: false, indexedEvents: 5, targetSequence: 5, jobs: 2, maxJobs: 10, jobsLeftOut: 0 };
  const stalled = { reason: 'maximum consumers limit reached', since };
  const stale = stalenessOf({ phase: 'degraded', detail: '', index: { ...index, stalled } });
  assert.deepEqual(stale, { since, cause: 'index-stalled' });
  assert.equal(staleSince(stale!), 'stale since 09:07 — the index cannot follow the stream');
  assert.match(staleMessage(stale!), /^Stale since 09:07 — the index cannot follow the stream\. .* when the index follows the stream again\.$/);
  assert.equal(stalenessOf({ phase: 'degraded', detail: 'JetStream did not answer', index }), undefined, 'a degraded stream check alone keeps the rows live');
  assert.equal(stalenessOf({ phase: 'connected', detail: '', index }), undefined);
  assert.equal(stalenessChanged(stale, { since, cause: 'not-answering' }), true);
});
