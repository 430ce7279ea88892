import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = path.resolve(__dirname, '../..');

/**
 * Type errors of a fixture placed (in memory only) at `file` and checked with the options of the runtime
 * project `project` (tsconfig.<project>.json).
 */
function diagnostics(project: 'server' | 'client' | 'media', file: string, source: string): string[] {
  const configPath = path.join(root, `tsconfig.${project}.json`);
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(config);
  const fixture = path.join(root, file);
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => name === fixture || ts.sys.fileExists(name);
  host.readFile = (name) => (name === fixture ? source : readFile(name));
  host.getSourceFile = (name, target, ...rest) =>
    name === fixture ? ts.createSourceFile(name, source, target) : getSourceFile(name, target, ...rest);
  const program = ts.createProgram([fixture], config.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test('a webview that reaches Node code through a server internal fails the media project', () => {
  const errors = diagnostics('media', 'media/src/boundaryFixture.ts',
    "export { loadContext } from '../../server/src/config/natsContext';\n");
  assert.ok(errors.some((e) => e.includes("Cannot find module 'node:fs'")), errors.join('\n'));
});

test('the server project has no DOM', () => {
  const errors = diagnostics('server', 'server/src/boundaryFixture.ts', 'export const title = document.title;\n');
  assert.ok(errors.some((e) => e.includes("Cannot find name 'document'")), errors.join('\n'));
});

test('the client project has no DOM', () => {
  const errors = diagnostics('client', 'client/src/boundaryFixture.ts', 'export const title = document.title;\n');
  assert.ok(errors.some((e) => e.includes("Cannot find name 'document'")), errors.join('\n'));
});

test('a webview importing the shared events module type-checks', () => {
  const errors = diagnostics('media', 'media/src/boundaryFixture.ts',
    "export { isFailureType } from '../../server/src/shared/events';\n");
  assert.deepEqual(errors, []);
});
