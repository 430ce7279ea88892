/**
 * The package check fails on what would break users: an asset a webview page loads left out, a font
 * a stylesheet names, sources or maps let in, a manifest a registry would refuse. The packages here
 * are made from the repository's real manifest and webview sources, then broken on purpose.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../e2e/harness/paths';
import { checkManifest, checkPackage, contributedFiles, expectedWebviewAssets, extensionFiles, type Manifest, webviewNames } from '../package/packageCheck';
import { readZip } from '../package/zip';

const manifestText = readFileSync(join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest & { main: string; icon?: string };
const codiconCss = readFileSync(join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.css'));
const PNG_128 = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.from([0, 0, 0, 128, 0, 0, 0, 128])]);

/** A package holding exactly what the extension needs, as vsce names the files. */
function goodPackage(): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    ['package.json', Buffer.from(manifestText)],
    ['readme.md', Buffer.from('# NAQ')],
    ['changelog.md', Buffer.from('# Changelog')],
    ['LICENSE.txt', Buffer.from('MIT')],
    [manifest.main.replace(/^\.\//, ''), Buffer.from('exports.activate = () => {};')],
    ['dist/server.js', Buffer.from('')],
    ['package.nls.json', readFileSync(join(repoRoot, 'package.nls.json'))],
    ['l10n/bundle.l10n.json', readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.json'))],
  ]);
  for (const path of [...expectedWebviewAssets(repoRoot), ...contributedFiles(manifest)]) files.set(path, Buffer.from(''));
  files.set('dist/media/codicon.css', codiconCss);
  files.set('dist/media/codicon.ttf', Buffer.from(''));
  if (manifest.icon !== undefined) files.set(manifest.icon, PNG_128);
  return files;
}

const without = (files: Map<string, Buffer>, path: string): Map<string, Buffer> => {
  assert.ok(files.has(path), `${path} is not in the good package to begin with`);
  const copy = new Map(files);
  copy.delete(path);
  return copy;
};

test('package check: a package with what the extension loads passes', () => {
  assert.deepEqual(checkPackage(goodPackage(), expectedWebviewAssets(repoRoot)), []);
});

test('package check: every webview page the panel code declares has its script and stylesheet expected', () => {
  const assets = expectedWebviewAssets(repoRoot);
  const views = webviewNames(repoRoot);
  assert.ok(views.includes('timeline'), `the view names found: ${views.join(', ')}`);
  for (const view of views) {
    assert.ok(assets.includes(`dist/media/${view}.js`), `${view}.js expected`);
    assert.ok(assets.includes(`dist/media/${view}.css`), `${view}.css expected`);
  }
});

test('package check: a missing webview stylesheet, script, bundle or document fails, naming the file', () => {
  for (const path of ['dist/media/timeline.css', 'dist/media/timeline.js', 'dist/server.js', 'dist/extension.js', 'changelog.md', 'readme.md', 'media/naq.svg', 'media/icon.png', 'media/walkthrough/connect.md', 'media/walkthrough/timeline.svg']) {
    const problems = checkPackage(without(goodPackage(), path), expectedWebviewAssets(repoRoot));
    assert.deepEqual(problems, [`missing: ${path}`], `without ${path}`);
  }
  assert.deepEqual(checkPackage(without(goodPackage(), 'LICENSE.txt'), expectedWebviewAssets(repoRoot)), ['missing: LICENSE.txt or LICENSE.md (from the LICENSE file)']);
});

test('package check: the font codicon.css loads is required through the stylesheet', () => {
  const problems = checkPackage(without(goodPackage(), 'dist/media/codicon.ttf'), expectedWebviewAssets(repoRoot));
  assert.deepEqual(problems, ['missing: dist/media/codicon.ttf (loaded by dist/media/codicon.css)']);
});

test('package check: more built webview assets, in sub-folders too, are welcome', () => {
  const files = goodPackage();
  for (const path of ['dist/media/failures.js', 'dist/media/failures.css', 'dist/media/charts/uplot.css', 'dist/media/fonts/x.woff2']) files.set(path, Buffer.from(''));
  assert.deepEqual(checkPackage(files, expectedWebviewAssets(repoRoot)), []);
});

test('package check: sources, maps, tests, node_modules and stray files fail', () => {
  const cases: Array<[string, RegExp]> = [
    ['client/src/extension.ts', /client\/src\/extension\.ts is TypeScript source/],
    ['dist/extension.js.map', /dist\/extension\.js\.map is a source map/],
    ['dist/media/timeline.js.map', /dist\/media\/timeline\.js\.map is a source map/],
    ['test/e2e/fixtures/workspace/README.md', /is a test or fixture/],
    ['node_modules/nats/index.js', /is node_modules/],
    ['dist/cli.js', /dist\/cli\.js is not something the extension loads/],
    ['media/timeline.css', /media\/timeline\.css is not something the extension loads/],
  ];
  for (const [path, expected] of cases) {
    const files = goodPackage();
    files.set(path, Buffer.from(''));
    const problems = checkPackage(files, expectedWebviewAssets(repoRoot));
    assert.equal(problems.length, 1, `with ${path}: ${problems.join('; ')}`);
    assert.match(problems[0]!, expected);
  }
});

/** A manifest a registry takes, changed by `change`, in a package with its icon. */
function manifestProblems(change: (m: Record<string, unknown>) => void, icon: Buffer = PNG_128): string[] {
  const m: Record<string, unknown> = {
    name: 'naq-job-events', publisher: 'naq', version: '0.1.0', displayName: 'NAQ', description: 'd', license: 'MIT',
    icon: 'media/icon.png', repository: { type: 'git', url: 'https://example.org/naq.git' }, keywords: ['nats'],
    categories: ['Other'], engines: { vscode: '^1.100.0' }, activationEvents: [],
  };
  change(m);
  return checkManifest(new Map([['package.json', Buffer.from(JSON.stringify(m))], ['LICENSE.txt', Buffer.from('MIT')], ['media/icon.png', icon]]));
}

test('manifest check: what Open VSX and the Marketplace require', () => {
  assert.deepEqual(manifestProblems(() => undefined), []);
  assert.match(manifestProblems((m) => delete m.repository).join('\n'), /"repository" needs a URL/);
  const noRepository = { ...JSON.parse(manifestText), repository: undefined } as Record<string, unknown>;
  const files = new Map([
    ['package.json', Buffer.from(JSON.stringify(noRepository))],
    ['LICENSE.txt', Buffer.from('MIT')],
    ['media/icon.png', PNG_128],
    ['package.nls.json', readFileSync(join(repoRoot, 'package.nls.json'))],
    ['l10n/bundle.l10n.json', readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.json'))],
  ]);
  assert.deepEqual(checkManifest(files, { requireRepository: false }), [], 'the repository manifest, but for its repository, is one a registry takes');
  assert.match(manifestProblems((m) => delete m.license).join('\n'), /"license" is required/);
  assert.match(manifestProblems((m) => (m.version = '1.0')).join('\n'), /"version" "1\.0" must be a semantic version/);
  assert.match(manifestProblems((m) => (m.icon = 'media/naq.svg')).join('\n'), /media\/naq\.svg is not in the package/);
  assert.match(manifestProblems(() => undefined, Buffer.from('<svg/>')).join('\n'), /not a PNG/);
  const small = Buffer.from(PNG_128);
  small.writeUInt32BE(64, 16);
  assert.match(manifestProblems(() => undefined, small).join('\n'), /64×128; it must be square and at least 128×128/);
  assert.match(manifestProblems((m) => (m.categories = ['Queues'])).join('\n'), /category "Queues"/);
  assert.match(manifestProblems((m) => (m.activationEvents = ['*'])).join('\n'), /activation on "\*"/);
});

test('package check: the translations the manifest needs are required, and a key without its text fails', () => {
  const assets = expectedWebviewAssets(repoRoot);
  assert.deepEqual(checkPackage(without(goodPackage(), 'package.nls.json'), assets), ['missing: package.nls.json']);
  assert.deepEqual(checkPackage(without(goodPackage(), 'l10n/bundle.l10n.json'), assets), ['missing: l10n/bundle.l10n.json']);
  const files = goodPackage();
  files.set('package.nls.de.json', Buffer.from('{}'));
  files.set('l10n/bundle.l10n.de.json', Buffer.from('{}'));
  assert.deepEqual(checkPackage(files, assets), [], 'translations into other languages are welcome');

  const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
  delete nls['command.connect.title'];
  const broken = goodPackage();
  broken.set('package.nls.json', Buffer.from(JSON.stringify(nls)));
  assert.ok(
    checkManifest(broken, { requireRepository: false }).includes('package.json: contributes.commands[0].title is "%command.connect.title%", which package.nls.json does not define'),
    checkManifest(broken, { requireRepository: false }).join('\n'),
  );
  assert.match(checkManifest(without(goodPackage(), 'l10n/bundle.l10n.json'), { requireRepository: false }).join('\n'), /"l10n" names \.\/l10n, but the package holds no l10n\/bundle\.l10n\.json/);
});

test('zip reader: reads back what zip wrote, stored and deflated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'naq-zip-'));
  try {
    const text = 'a line of text\n'.repeat(200);
    execFileSync('bash', ['-c', 'mkdir -p extension/dist && printf %s "$TEXT" > extension/dist/a.js && printf x > b.txt && zip -q -0 s.zip b.txt && zip -q -9 s.zip extension/dist/a.js'], {
      cwd: dir,
      env: { ...process.env, TEXT: text },
    });
    const archive = readZip(readFileSync(join(dir, 's.zip')));
    assert.deepEqual([...archive.keys()], ['b.txt', 'extension/dist/a.js']);
    assert.equal(archive.get('b.txt')!.toString(), 'x');
    assert.equal(archive.get('extension/dist/a.js')!.toString(), text);
    assert.deepEqual([...extensionFiles(archive).keys()], ['dist/a.js']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
