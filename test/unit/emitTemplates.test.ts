import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTemplateFile } from '../../client/src/commands/emitTemplates';

const FILE = `[
  { "name": "Payment fails", "lifecycle": "failure-with-retries", "jobId": "pay-1", "queue": "billing" },
  {
    "name": "One [ValueError], \\"quoted\\"",
    "event": { "job_id": "job-7", "event_type": "failed", "error_type": "ValueError", "error_message": "boom, {really}" }
  },
  { "name": "bad", "lifecycle": "explode" },
  { "name": "bad id", "event": { "job_id": "a.b", "event_type": "failed" } },
  { "name": "both", "lifecycle": "success", "event": {} }
]`;

test('emit templates: each entry with where it starts, good ones checked, bad ones named by field and rule', () => {
  const file = parseTemplateFile(FILE);
  assert.ok(file.ok);
  const lines = file.entries.map((entry) => FILE.slice(0, entry.offset).split('\n').length);
  assert.deepEqual(lines, [2, 3, 7, 8, 9], 'a lens goes on the line where each template starts, brackets and commas in strings notwithstanding');
  assert.deepEqual(file.entries[0], { offset: file.entries[0]!.offset, template: { name: 'Payment fails', kind: 'lifecycle', scenario: 'failure-with-retries', jobId: 'pay-1', queue: 'billing' } });
  const event = file.entries[1]!;
  assert.ok('template' in event && event.template.kind === 'event');
  assert.equal(event.template.event.error_message, 'boom, {really}');
  assert.deepEqual(
    file.entries.slice(2).map((entry) => ('problem' in entry ? entry.problem : '')),
    [
      'bad: lifecycle: must be one of success, failure-with-retries, timeout, cancellation, schedule',
      `bad id: event.job_id: invalid job id "a.b": must not contain '.' (it separates subject tokens)`,
      'both: give either "event" or "lifecycle", not both',
    ],
  );
});

test('emit templates: a file that is not an array of templates is one problem', () => {
  assert.deepEqual(parseTemplateFile('{"templates": []}'), { ok: false, problem: 'the file must hold a JSON array of templates' });
  const broken = parseTemplateFile('[{');
  assert.ok(!broken.ok && broken.problem.startsWith('not JSON: '));
  assert.deepEqual(parseTemplateFile('[]'), { ok: true, entries: [] });
  assert.deepEqual(parseTemplateFile('[1]'), { ok: true, entries: [{ offset: 1, problem: 'a template must be an object with "name" and either "event" or "lifecycle"' }] });
});
