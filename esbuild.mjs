// Bundles every entry point; type-checking is `npm run typecheck` (tsc --noEmit), kept apart for speed.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/**
 * For the extension bundle: the shared protocol file takes only the message type classes from
 * vscode-languageserver-protocol, but importing that package evaluates all of it at activation
 * (about 100 ms). Those classes live in vscode-jsonrpc's messages module, the very module the
 * language client uses once it is loaded (on first start, not at activation).
 */
const protocolMessagesOnly = {
  name: 'protocol-messages-only',
  setup(build) {
    build.onResolve({ filter: /^vscode-languageserver-protocol$/ }, (args) =>
      args.importer.replace(/\\/g, '/').endsWith('server/src/protocol/protocol.ts')
        ? { path: join(process.cwd(), 'node_modules/vscode-jsonrpc/lib/common/messages.js') }
        : undefined,
    );
  },
};

const builds = [
  // DDSketch requires protobufjs only to (de)serialise sketches, which the metrics never do; it is not installed.
  { ...node, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: ['protobufjs/minimal'] },
  { ...node, entryPoints: ['server/src/backend/main.ts'], outfile: 'dist/server.js', external: ['protobufjs/minimal'] },
  // The library's one entry point, for programs of our own (not packaged: the extension does not load it).
  { ...node, entryPoints: ['server/src/library.ts'], outfile: 'dist/library.js', external: ['protobufjs/minimal'] },
  // The extension itself; `vscode` is provided by the extension host.
  { ...node, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], plugins: [protocolMessagesOnly] },
];

// Webview pages: every media/src/*.ts is one page's script (browser, IIFE), every media/*.css its
// stylesheet (its @imports bundled in); both land in dist/media, the only folder the webviews load from.
const webviewEntries = [
  ...readdirSync('media/src')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ in: `media/src/${file}`, out: file.slice(0, -3) })),
  ...readdirSync('media')
    .filter((file) => file.endsWith('.css') && file !== 'base.css')
    .map((file) => ({ in: `media/${file}`, out: file.slice(0, -4) })),
];
builds.push({
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['es2022', 'chrome120'],
  entryPoints: webviewEntries,
  outdir: 'dist/media',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
});
mkdirSync('dist/media', { recursive: true });
for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${file}`, `dist/media/${file}`);

if (watch) {
  await Promise.all(builds.map(async (options) => (await esbuild.context(options)).watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
