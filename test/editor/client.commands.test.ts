/** The extension activates and registers every command it contributes (how fast: `npm run bench`, editorBench). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { manifest, naqApi } from './client.helpers';
import { test } from './runner';

test('client: activation hands out the API with the time activate() measured, for the benchmark to report', async () => {
  const api = await naqApi();
  assert.ok(Number.isInteger(api.activationMs) && api.activationMs >= 0, `activationMs is ${api.activationMs}`);
});

test('client: every contributed command is registered, with the NAQ category and a title', async () => {
  await naqApi();
  const registered = new Set(await vscode.commands.getCommands(true));
  const contributed = manifest().contributes.commands;
  assert.ok(contributed.length >= 20, `only ${contributed.length} commands contributed`);
  const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
  assert.deepEqual(missing, [], 'contributed but not registered');
  for (const c of contributed) {
    assert.equal(c.category, 'NAQ', `${c.command} has no NAQ category`);
    assert.ok(c.title.length > 0 && c.icon?.startsWith('$('), `${c.command} lacks a title or an icon`);
  }
  // And the other way round: nothing registered under naq.* that package.json does not declare
  // (view focus commands and the like are the editor's own).
  const declared = new Set(contributed.map((c) => c.command));
  const undeclared = [...registered].filter((id) => /^naq\.[a-zA-Z]+$/.test(id) && !declared.has(id));
  assert.deepEqual(undeclared, [], 'registered but not contributed');
});

test('client: commands named in menus, welcome views and item commands exist', async () => {
  const m = manifest();
  const declared = new Set(m.contributes.commands.map((c) => c.command));
  for (const [menu, entries] of Object.entries(m.contributes.menus)) {
    for (const entry of entries) assert.ok(declared.has(entry.command), `${menu} names an undeclared command ${entry.command}`);
  }
  for (const welcome of m.contributes.viewsWelcome) {
    for (const [, command] of welcome.contents.matchAll(/\(command:(naq\.[A-Za-z]+)/g)) {
      assert.ok(declared.has(command!), `welcome view of ${welcome.view} links to undeclared ${command}`);
    }
  }
  for (const id of ['naq.openTimeline', 'naq.loadMore']) assert.ok(declared.has(id));
});

test('client: job-row commands are hidden from the command palette', () => {
  const palette = manifest().contributes.menus.commandPalette ?? [];
  for (const id of ['naq.copyJobId', 'naq.tailJob', 'naq.emitEventForJob', 'naq.deleteJobEvents', 'naq.loadMore']) {
    assert.equal(palette.find((e) => e.command === id)?.when, 'false', `${id} shows in the palette`);
  }
});
