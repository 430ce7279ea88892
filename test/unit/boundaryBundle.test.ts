import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const root = path.resolve(__dirname, '../..');

/**
 * The pure server modules behind server/src/shared (what its re-exports reach). Anything else from
 * server/src in the extension bundle is a leak through the boundary.
 */
const SHARED_PURE = new Set([
  'server/src/model/event.ts',
  'server/src/model/eventType.ts',
  'server/src/model/factories.ts',
  'server/src/model/samples.ts',
  'server/src/index/jobStatus.ts',
  'server/src/subjects/subject.ts',
  'server/src/subjects/tokens.ts',
  'server/src/subjects/tailPattern.ts',
  'server/src/config/serverUrls.ts',
  'server/src/config/configError.ts',
  'server/src/backend/runtime.ts',
]);

const allowed = (input: string): boolean =>
  /^server\/src\/(protocol|shared)\/[^/]+\.ts$/.test(input) || SHARED_PURE.has(input);

/** The extension bundle as esbuild.mjs builds it (same entry, platform and externals), kept in memory. */
async function extensionMetafile(): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['client/src/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

test('dist/extension.js holds no server module besides the protocol and the shared pure ones', async () => {
  const metafile = await extensionMetafile();
  const bundled = Object.keys(metafile.outputs['dist/extension.js'].inputs);
  const server = bundled.filter((input) => input.startsWith('server/src/'));
  assert.ok(server.some((input) => input.startsWith('server/src/protocol/')), 'the protocol is bundled');
  assert.ok(server.some((input) => input.startsWith('server/src/shared/')), 'the shared modules are bundled');
  assert.deepEqual(server.filter((input) => !allowed(input)), []);
  assert.ok(!bundled.some((input) => input.includes('node_modules/nats/')), 'nats stays out of the extension host');
});

test('the shared modules and the protocol import nothing from Node, nats or vscode', async () => {
  const metafile = await extensionMetafile();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    if (!allowed(input)) continue;
    const outside = info.imports
      .map((imported) => imported.path)
      .filter((imported) => !imported.startsWith('server/src/') && !imported.includes('node_modules/vscode-jsonrpc/')
        && !imported.includes('node_modules/vscode-languageserver-protocol/'));
    assert.deepEqual(outside, [], `${input} imports ${outside.join(', ')}`);
  }
});
