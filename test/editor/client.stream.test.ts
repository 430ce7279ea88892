/** "NAQ: Review Stream Configuration…" against the real backend: a review document, nothing changed unasked. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { StreamPlanRequest } from '../../server/src/protocol/protocol';
import { connected, naqApi } from './client.helpers';
import { test } from './runner';

test('client: the stream review opens as a virtual document and, with nothing to change, asks nothing and changes nothing', async () => {
  const api = await naqApi();
  await connected(api);
  const before = await api.backend.request(StreamPlanRequest.type);
  assert.equal(before.action, 'none', `the suite's stream differs from the seed: ${before.text.join('\n')}`);

  await vscode.commands.executeCommand('naq.reviewStream');
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor, 'no editor shows the review');
  assert.equal(editor.document.uri.scheme, 'naq-stream');
  const text = editor.document.getText();
  assert.match(text, new RegExp(`^NAQ stream review: ${before.stream}$`, 'm'));
  assert.match(text, /has the seed's limits and NAQ's subjects; nothing to change/);
  assert.match(text, /NAQ can use the stream fully/);
  const after = await api.backend.request(StreamPlanRequest.type);
  assert.equal(after.basis, before.basis, 'reviewing changed the stream');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});
