/** Pure pieces of the client, checked where vscode's classes exist. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RestartPolicy } from '../../client/src/backend/restartPolicy';
import { trustHover } from '../../client/src/backend/languageBackend';
import { tailPatternProblem, idProblem } from '../../client/src/commands/validate';
import { eventTypeItems } from '../../client/src/commands/emit';
import { startupAction } from '../../client/src/config/startup';
import { Redactor } from '../../client/src/logging/redactingChannel';
import { failureMessage } from '../../client/src/notifications/failureNotifier';
import { describeState, leftOutNote } from '../../client/src/status/statusBar';
import { jobDescription, jobTooltip } from '../../client/src/views/render';
import type { JobItem } from '../../server/src/protocol/protocol';
import { test } from './runner';

test('client: the restart policy allows 5 restarts in 3 minutes, then stops', () => {
  let now = 0;
  const policy = new RestartPolicy(5, 180_000, () => now);
  for (let i = 1; i <= 5; i++) assert.equal(policy.onCrash().restart, true, `restart ${i}`);
  assert.equal(policy.onCrash().restart, false);
  now += 181_000;
  assert.equal(policy.onCrash().restart, true, 'old crashes age out');
  policy.reset();
  assert.equal(policy.onCrash().crashes, 1);
});

test('client: the log filter masks secrets, secret JSON fields and URL user info', () => {
  const redactor = new Redactor();
  redactor.setSecrets(['hunter2', 's3cr"et', undefined]);
  const out = redactor.redact('pw hunter2 / {"secrets":{"token":"abc","password":"s3cr\\"et"}} nats://bob:pw@host:4222 s3cr"et');
  assert.ok(!out.includes('hunter2') && !out.includes('abc') && !out.includes('s3cr') && !out.includes('bob:pw'), out);
});

test('client: the status bar shows the phase with the right codicon', () => {
  assert.match(describeState({ phase: 'connecting', detail: '' }).text, /^\$\(sync~spin\)/);
  const connected = describeState({ phase: 'connected', detail: 'ok', stream: { name: 'S', messages: 12345, bytes: 1, lastSeq: 12345 } });
  assert.equal(connected.text, '$(database) NAQ 12,345');
  const building = { building: true, indexedEvents: 50, targetSequence: 200, jobs: 3, maxJobs: 1_000, jobsLeftOut: 0 };
  assert.match(describeState({ phase: 'connected', detail: '', index: building }).text, /sync~spin.*25%/);
  assert.doesNotMatch(describeState({ phase: 'connected', detail: '', index: building }).tooltip.value, /not listed/);
  const full = { ...building, building: false, jobs: 1_000, jobsLeftOut: 1_234 };
  assert.equal(leftOutNote(full), '1,234 older jobs in the stream are not listed: the index keeps the 1,000 most recently active (naq.index.maxJobs).');
  const shown = new vscode.MarkdownString(undefined, true).appendText(leftOutNote(full) ?? '').value;
  assert.ok(describeState({ phase: 'connected', detail: '', index: full }).tooltip.value.includes(shown), 'the tooltip says it, escaped as text');
  assert.match(describeState({ phase: 'degraded', detail: '' }).text, /^\$\(warning\)/);
  assert.match(describeState({ phase: 'no-server', detail: '' }).text, /^\$\(debug-disconnect\)/);
  const escaped = describeState({ phase: 'disconnected', detail: '[click](command:evil) **x**' }).tooltip.value;
  assert.ok(!escaped.includes('[click](command:evil)'), escaped);
});

test('client: hover markdown is trusted for naq.openTimeline only', () => {
  const hover = trustHover(new vscode.Hover([new vscode.MarkdownString('[x](command:naq.openTimeline?%5B%22a%22%5D)'), 'plain']));
  const md = hover.contents[0] as vscode.MarkdownString;
  assert.deepEqual(md.isTrusted, { enabledCommands: ['naq.openTimeline'] });
  assert.equal(md.supportHtml, false);
  assert.equal(hover.contents[1], 'plain');
});

test('client: tail patterns and ids are checked as typed', () => {
  const prefix = 'naq.jobs.events';
  assert.equal(tailPatternProblem('', prefix), undefined);
  assert.equal(tailPatternProblem('naq.jobs.events.*.>', prefix), undefined);
  assert.match(tailPatternProblem('naq..x', prefix) ?? '', /empty token.*character 5/);
  assert.match(tailPatternProblem('a.>.b', prefix) ?? '', /last token/);
  assert.match(tailPatternProblem('a.b*', prefix) ?? '', /whole tokens/);
  assert.match(tailPatternProblem('foo.bar', prefix) ?? '', /outside the stream's subjects naq\.jobs\.events\.>/);
  assert.match(idProblem('job id', 'a.b') ?? '', /must not contain '\.'/);
  assert.match(idProblem('job id', 'global') ?? '', /reserved/);
  assert.equal(idProblem('job id', 'job-1a2b3c'), undefined);
});

test('client: event types are grouped by family under separators', () => {
  const items = eventTypeItems();
  const separators = items.filter((i) => i.kind === vscode.QuickPickItemKind.Separator).map((i) => i.label);
  assert.deepEqual(separators, ['Job lifecycle', 'Retries', 'Dependencies', 'Schedules', 'Workers', 'Queues', 'Time to live']);
  assert.equal(items.find((i) => i.label === 'failed')?.description, '→ failed · failure');
});

test('client: failure notifications aggregate', () => {
  assert.equal(failureMessage([{ jobId: 'a', error: { type: 'E', message: 'm', eventType: 'failed', seq: 1 } }]), 'NAQ: job a failed — E: m');
  assert.equal(
    failureMessage(['a', 'b', 'c', 'd'].map((jobId) => ({ jobId, error: null }))),
    'NAQ: 4 jobs failed (a, b, c, …)',
  );
});

test('client: job rows and tooltips escape what comes from the stream', () => {
  const job: JobItem = {
    jobId: 'job-1',
    status: 'failed',
    queue: 'q',
    worker: '[w](command:x)',
    firstTime: 0,
    lastTime: Date.now() / 1000 - 120,
    attempts: 2,
    lastError: { type: 'ValueError', message: '<img src=x onerror=alert(1)>', eventType: 'failed', seq: 9 },
    lastEventType: 'failed',
    lastMessage: '**bold**',
    eventCount: 7,
  };
  assert.equal(jobDescription(job, true), 'ValueError · 2 min ago');
  assert.equal(jobDescription(job, false), 'failed · ValueError · 2 min ago');
  const tooltip = jobTooltip(job);
  assert.ok(!tooltip.value.includes('[w](command:x)'), tooltip.value);
  assert.ok(!tooltip.value.includes('**bold**'), tooltip.value);
  assert.ok(!tooltip.isTrusted);
});

test('client: connects at start-up only when a server is configured or was used here before', () => {
  const facts = { userDisconnected: false, connectedBefore: false, serverConfigured: false };
  assert.equal(startupAction(facts), 'wait-for-interest');
  assert.equal(startupAction({ ...facts, serverConfigured: true }), 'connect');
  assert.equal(startupAction({ ...facts, connectedBefore: true }), 'connect');
  assert.equal(startupAction({ ...facts, connectedBefore: true, userDisconnected: true }), 'stay-disconnected');
});
