/** The settings, views and activation the manifest contributes, as the editor sees them. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { manifest } from './client.helpers';
import { test } from './runner';

test('client: settings are contributed with their defaults', () => {
  const config = vscode.workspace.getConfiguration('naq');
  const defaults: Record<string, unknown> = {
    serverUrl: '',
    streamName: 'NAQ_JOB_EVENTS',
    subjectPrefix: 'naq.jobs.events',
    context: '',
    natsServerPath: '',
    embeddedServer: 'auto',
    'tail.rateLimit': 200,
    'notifications.failures': false,
  };
  for (const [key, value] of Object.entries(defaults)) {
    assert.deepEqual(config.inspect(key)?.defaultValue, value, `naq.${key} default`);
  }
  // A path to a binary the extension runs is a machine setting, not one a workspace can set.
  assert.equal(manifest().contributes.configuration.properties['naq.natsServerPath']?.scope, 'machine');
});

test('client: no setting holds a secret', () => {
  const keys = Object.keys(manifest().contributes.configuration.properties);
  const secretLike = keys.filter((key) => /password|token|secret|creds|user/i.test(key));
  assert.deepEqual(secretLike, [], 'secrets belong in SecretStorage');
});

test('client: the NAQ container holds the Queues, Workers, Jobs and Failures views', () => {
  const m = manifest();
  const container = m.contributes.viewsContainers.activitybar.find((c) => c.id === 'naq');
  assert.ok(container, 'no naq activity-bar container');
  assert.equal(container.title, 'NAQ');
  assert.match(container.icon, /\.svg$/);
  assert.deepEqual(
    m.contributes.views.naq?.map((v) => [v.id, v.name]),
    [
      ['naq.queues', 'Queues'],
      ['naq.workers', 'Workers'],
      ['naq.jobs', 'Jobs'],
      ['naq.failures', 'Failures'],
    ],
  );
  for (const view of ['naq.queues', 'naq.workers', 'naq.jobs']) {
    assert.ok(
      m.contributes.viewsWelcome.some((w) => w.view === view && w.when?.includes('!naq.connected')),
      `${view} has no welcome for the disconnected state`,
    );
  }
});

test('client: activation events are lazy', () => {
  const events = manifest().activationEvents;
  assert.ok(!events.includes('*'), 'activates on "*"');
  // Views and commands activate it implicitly; otherwise a restored webview, a log file (job-id hover)
  // or a Python file (failures on the lines that raised them).
  assert.ok(events.every((e) => e === 'onLanguage:log' || e === 'onLanguage:python' || e.startsWith('onWebviewPanel:')), `unexpected activation events: ${events.join(', ')}`);
  assert.equal(manifest().main, './dist/extension.js');
});
