import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobSearch, typedJobId } from '../../client/src/commands/jobSearch';

test('job search: free text stays one term, "Type: message" included', () => {
  assert.deepEqual(parseJobSearch('ValueError'), { ok: true, query: { search: 'ValueError' } });
  assert.deepEqual(parseJobSearch('  ValueError:   boom '), { ok: true, query: { search: 'ValueError: boom' } });
  assert.deepEqual(parseJobSearch(''), { ok: true, query: {} });
});

test('job search: status, queue and worker filters, in any order, next to text', () => {
  assert.deepEqual(parseJobSearch('status:FAILED queue:billing boom worker:w-1'), {
    ok: true,
    query: { status: 'failed', queue: 'billing', worker: 'w-1', search: 'boom' },
  });
  assert.deepEqual(parseJobSearch('Queue:Mail'), { ok: true, query: { queue: 'Mail' } });
});

test('job search: a bad filter is named with its rule', () => {
  assert.deepEqual(parseJobSearch('status:broken'), { ok: false, problem: 'status: "broken" is not one of queued, scheduled, waiting, running, retrying, paused, completed, failed, cancelled, expired, unknown' });
  assert.deepEqual(parseJobSearch('queue:'), { ok: false, problem: 'queue: give a value, e.g. queue:name' });
  assert.deepEqual(parseJobSearch('worker:a worker:b'), { ok: false, problem: 'worker: give it once' });
});

test('job search: one word that is not a filter can be opened as a job id; a filter or several words cannot', () => {
  assert.equal(typedJobId('  job-42 '), 'job-42');
  assert.equal(typedJobId('queue:billing'), undefined);
  assert.equal(typedJobId('Status:failed'), undefined);
  assert.equal(typedJobId('worker:w-1'), undefined);
  assert.equal(typedJobId('ValueError: boom'), undefined);
  assert.equal(typedJobId(''), undefined);
  // Not a filter's name: an id like any other.
  assert.equal(typedJobId('order:42'), 'order:42');
});
