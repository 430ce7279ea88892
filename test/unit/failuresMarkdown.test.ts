import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callText, jobMarkdown, signatureMarkdown, tracebackText } from '../../client/src/failures/markdown';
import type { FailureJobItem, FailureSignatureItem } from '../../server/src/protocol/protocol';

const site = { uri: 'file:///ws/app/billing.py', line: 11, character: 4 };
const job: FailureJobItem = {
  jobId: 'job-7',
  time: 1_700_000_000,
  queue: 'billing',
  worker: 'worker-1',
  type: 'ConnectionError',
  message: 'upstream refused ```x```',
  origin: 'result',
  frames: [
    { file: '/app/worker.py', line: 3, function: '<module>', source: 'run()', mapped: null },
    { file: '/app/billing.py', line: 12, function: 'charge', source: 'raise ConnectionError(msg)', mapped: site },
  ],
};
const signature: FailureSignatureItem = {
  id: 'sig-1',
  type: 'ConnectionError',
  message: 'upstream refused <str>',
  function: 'charge',
  count: 12,
  firstSeen: 1_699_990_000,
  lastSeen: 1_700_000_000,
  queues: ['billing'],
  workers: ['worker-1', 'worker-2'],
  jobs: ['job-7', 'job-6'],
  site,
};

test('the traceback reads as Python prints it, outermost frame first, and cannot close the fence', () => {
  const text = tracebackText(job);
  assert.equal(
    text.split('\n').slice(0, 5).join('\n'),
    ['Traceback (most recent call last):', '  File "/app/worker.py", line 3, in <module>', '    run()', '  File "/app/billing.py", line 12, in charge', '    raise ConnectionError(msg)'].join('\n'),
  );
  assert.ok(!text.includes('```'), 'a message with a fence cannot end the code block');
  assert.match(text, /ConnectionError: upstream refused/);
});

test('a job report names the job, queue, worker, attempts and where the traceback came from', () => {
  const md = jobMarkdown(job, 3, signature);
  assert.match(md, /- Job: `job-7`/);
  assert.match(md, /- Queue: billing/);
  assert.match(md, /- Worker: worker-1/);
  assert.match(md, /- Attempts: 3/);
  assert.match(md, /- Signature: ConnectionError: upstream refused <str> \(12 failures/);
  assert.match(md, /- Traceback from: NAQ result bucket/);
  assert.equal(md.match(/```/g)?.length, 2);
  assert.match(jobMarkdown({ ...job, queue: null, worker: null, origin: null }, null), /Queue: unknown\n- Worker: unknown\n- Attempts: unknown[\s\S]*not available/);
});

test('a signature report gives counts, queues, workers, jobs and the latest traceback', () => {
  const md = signatureMarkdown(signature, [job]);
  assert.match(md, /^## ConnectionError: upstream refused <str>/);
  assert.match(md, /- Failures: 12 \(first 2023-11-14T\d\d:\d\d:\d\d\.000Z, last 2023-11-14T22:13:20\.000Z\)/);
  assert.match(md, /- Workers: worker-1, worker-2/);
  assert.match(md, /- Jobs: `job-7`, `job-6`/);
  assert.match(md, /Latest traceback \(job `job-7`\)/);
  assert.doesNotMatch(signatureMarkdown(signature, []), /Latest traceback/);
});

test('the call reads as Python, from the reprs NAQ recorded; a report says the failed-jobs stream gave it', () => {
  assert.equal(callText({ function: 'charge', args: "(42, 'x')", kwargs: "{'currency': 'EUR', 'n': 1}" }), "charge(42, 'x', currency='EUR', n=1)");
  assert.equal(callText({ function: 'ping', args: '(1,)', kwargs: '{}' }), 'ping(1)');
  assert.equal(callText({ function: 'tick', args: null, kwargs: null }), 'tick()');
  const md = jobMarkdown({ ...job, origin: 'failed-jobs', call: { function: 'charge', args: '(42,)', kwargs: '{}' } }, 1);
  assert.match(md, /- Call: `charge\(42\)`/);
  assert.match(md, /- Traceback from: NAQ failed-jobs stream/);
});
