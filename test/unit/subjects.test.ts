import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildSubject,
  parseSubject,
  patternProblem,
  subjectForEvent,
  subjectMatches,
  typeFilters,
} from '../../server/src/subjects/subject';
import { InvalidIdError, MAX_TOKEN_LENGTH } from '../../server/src/subjects/tokens';
import { createEvent } from '../../server/src/model/event';
import { JobEvents } from '../../server/src/model/factories';

const P = 'naq.jobs.events';

test('builds and parses every subject shape', () => {
  const cases = [
    [{ kind: 'basic' }, `${P}.j1.enqueued`],
    [{ kind: 'lifecycle' }, `${P}.j1.lifecycle.enqueued`],
    [{ kind: 'system' }, `${P}.j1.system.enqueued`],
    [{ kind: 'worker', workerId: 'w-1' }, `${P}.j1.worker.w-1.enqueued`],
    [{ kind: 'queue', queueName: 'high' }, `${P}.j1.queue.high.enqueued`],
    [{ kind: 'retry', retryCount: 3 }, `${P}.j1.retry.3.enqueued`],
    [{ kind: 'schedule', scheduleName: 'nightly' }, `${P}.j1.schedule.nightly.enqueued`],
  ] as const;
  for (const [shape, subject] of cases) {
    assert.equal(buildSubject(P, 'j1', 'enqueued', shape), subject);
    assert.deepEqual(parseSubject(P, subject), { jobId: 'j1', eventType: 'enqueued', shape });
  }
});

test('routes events as the seed does: worker, else queue, else bare', () => {
  assert.equal(subjectForEvent(P, JobEvents.started('j', 'w', 'async')), `${P}.j.worker.w.started`);
  assert.equal(subjectForEvent(P, JobEvents.enqueued('j', 'q')), `${P}.j.queue.q.enqueued`);
  assert.equal(subjectForEvent(P, JobEvents.cancelled('j')), `${P}.j.cancelled`);
  assert.equal(subjectForEvent(P, JobEvents.workerLifecycle('w9', 'worker_started')), `${P}.worker:w9.worker.w9.worker_started`);
});

test('refuses ids that would break a subject, naming the id and the rule', () => {
  const bad: [string, RegExp][] = [
    ['', /must not be empty/],
    ['a.b', /must not contain '\.'/],
    ['a*', /wildcards/],
    ['>', /wildcards/],
    ['a b', /whitespace/],
    ['a\tb', /control/],
    ['a\u0000', /control/],
    ['x'.repeat(MAX_TOKEN_LENGTH + 1), /at most 256 characters/],
    ['global', /reserved/],
  ];
  for (const [id, rule] of bad) {
    assert.throws(
      () => subjectForEvent(P, createEvent({ job_id: id, event_type: 'failed' })),
      (error: unknown) => error instanceof InvalidIdError && error.kind === 'job id' && rule.test(error.message),
      `job id ${JSON.stringify(id)}`,
    );
  }
  assert.throws(() => buildSubject(P, 'j', 'failed', { kind: 'worker', workerId: 'w.1' }), /invalid worker id "w\.1"/);
  assert.throws(() => buildSubject(P, 'j', 'failed', { kind: 'queue', queueName: 'q>' }), /invalid queue name/);
  assert.throws(() => buildSubject(P, 'j', 'fa iled'), /invalid event type/);
});

test('type filters cover every shape, including worker-scoped failures', () => {
  const filters = typeFilters(P, 'failed');
  const subjects = [
    `${P}.j.failed`,
    `${P}.j.lifecycle.failed`,
    `${P}.j.system.failed`,
    `${P}.j.worker.w.failed`,
    `${P}.j.queue.q.failed`,
    `${P}.j.retry.2.failed`,
    `${P}.j.schedule.s.failed`,
  ];
  for (const subject of subjects) assert.ok(filters.some((f) => subjectMatches(f, subject)), subject);
  assert.ok(!filters.some((f) => subjectMatches(f, `${P}.j.worker.w.completed`)));
});

test('parses nothing outside the job hierarchy', () => {
  assert.equal(parseSubject(P, 'other.j.failed'), undefined);
  assert.equal(parseSubject(P, `${P}.global.failed`), undefined);
  assert.equal(parseSubject(P, `${P}.j`), undefined);
  assert.equal(parseSubject(P, `${P}.j.retry.x.failed`), undefined);
  assert.equal(parseSubject(P, `${P}.j.a.b.c.failed`), undefined);
});

test('matches subjects like the server', () => {
  assert.ok(subjectMatches('a.>', 'a.b.c'));
  assert.ok(!subjectMatches('a.>', 'a'));
  assert.ok(subjectMatches('a.*.c', 'a.b.c'));
  assert.ok(!subjectMatches('a.*', 'a.b.c'));
});

test('checks patterns as typed', () => {
  assert.equal(patternProblem(`${P}.*.worker.*.failed`), undefined);
  assert.equal(patternProblem(`${P}.>`), undefined);
  assert.match(patternProblem(`${P}..x`)?.reason ?? '', /empty token/);
  assert.match(patternProblem(`${P}.>.x`)?.reason ?? '', /last token/);
  assert.match(patternProblem(`${P}.a*`)?.reason ?? '', /whole tokens/);
  assert.match(patternProblem('a b')?.reason ?? '', /whitespace/);
});
