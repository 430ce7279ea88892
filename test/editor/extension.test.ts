import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { test } from './runner';

const extensionId = 'naq.naq-job-events';

test('the extension activates and registers naq.refresh', async () => {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `extension ${extensionId} is not loaded`);
  await extension.activate();
  assert.equal(extension.isActive, true, `extension ${extensionId} did not activate`);
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('naq.refresh'), 'command naq.refresh is not registered');
});
