/**
 * What the packaged extension must hold and must not: the bundles it runs, every asset its webview
 * pages load, its icons and documents; no sources, source maps, tests, fixtures or node_modules.
 * Plus the manifest checks a registry (the Marketplace, Open VSX) makes before it takes a package.
 * Pure over the package's files and the repository's sources, so a test can break a package on purpose.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's files under its `extension/` folder, by path relative to it. */
export type PackageFiles = ReadonlyMap<string, Buffer>;

/** The files of a `.vsix` as read from the archive: drops vsce's own metadata and the `extension/` prefix. */
export function extensionFiles(archive: ReadonlyMap<string, Buffer>): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [name, data] of archive) {
    if (name.startsWith('extension/')) files.set(name.slice('extension/'.length), data);
  }
  return files;
}

/**
 * The name vsce gives a file in the package: it lower-cases the README and CHANGELOG and gives a
 * LICENSE without extension a `.txt` one, for the Marketplace's viewers.
 */
export function packagedName(path: string): string {
  if (/^readme\.md$/i.test(path)) return 'readme.md';
  if (/^changelog\.md$/i.test(path)) return 'changelog.md';
  if (path === 'LICENSE') return 'LICENSE.txt';
  return path;
}

/**
 * The backend module the extension starts (LanguageBackend's default `dist/server.js`); the
 * manifest's `main` names the other bundle, and the webview pages are found from their sources.
 */
const BACKEND_BUNDLE = 'dist/server.js';
/** Loaded by every webview page next to its own stylesheet (client/src/webview/panel.ts). */
const SHARED_WEBVIEW_ASSETS = ['dist/media/codicon.css'];

/**
 * The webview assets the extension's HTML loads, from the repository's sources: each page's script
 * and stylesheet (`dist/media/<view>.js|css` for every view name the panel code declares and every
 * page script esbuild bundles), and the codicons. Fonts and images the stylesheets reference are
 * checked in the package itself (see checkPackage).
 */
export function expectedWebviewAssets(repoRoot: string): string[] {
  const assets = new Set(SHARED_WEBVIEW_ASSETS);
  for (const view of webviewNames(repoRoot)) {
    assets.add(`dist/media/${view}.js`);
    assets.add(`dist/media/${view}.css`);
  }
  // esbuild.mjs: every media/src/*.ts is a page script, every media/*.css but base.css its stylesheet.
  for (const file of readdirSync(join(repoRoot, 'media', 'src'))) {
    if (file.endsWith('.ts')) assets.add(`dist/media/${file.slice(0, -3)}.js`);
  }
  for (const file of readdirSync(join(repoRoot, 'media'))) {
    if (file.endsWith('.css') && file !== 'base.css') assets.add(`dist/media/${file}`);
  }
  return [...assets].sort();
}

/** The view names the webview code loads pages for: the string literals of its `ViewName` type. */
export function webviewNames(repoRoot: string): string[] {
  const folder = join(repoRoot, 'client', 'src', 'webview');
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
    const declaration = /type ViewName\s*=\s*([^;]+);/.exec(readFileSync(join(folder, file), 'utf8'));
    if (declaration) return [...declaration[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
  }
  throw new Error(`no "type ViewName = ..." in ${folder}: the package check finds the webview pages from it`);
}

/** Files a package may hold besides the required ones: built webview assets, icons and walkthrough pages. */
function allowed(path: string): boolean {
  if (path.endsWith('.map')) return false;
  if (/^dist\/media\/([\w.-]+\/)*[\w.-]+\.(js|css|ttf|woff2?|svg|png|gif|jpe?g|json|wasm)$/.test(path)) return true;
  // Translations: package.nls.<language>.json and the l10n folder's bundle.l10n.<language>.json.
  if (/^package\.nls(\.[\w-]+)?\.json$/.test(path) || /^l10n\/bundle\.l10n(\.[\w-]+)?\.json$/.test(path)) return true;
  return /^media\/(?!src\/)([\w.-]+\/)*[\w.-]+\.(svg|png|md)$/.test(path);
}

/** What a path is, when it is something a package must never hold; undefined otherwise. */
function forbiddenKind(path: string): string | undefined {
  if (/(^|\/)node_modules\//.test(path)) return 'node_modules';
  if (/\.map$/.test(path)) return 'a source map (the production build makes none)';
  if (/\.(ts|tsx|mts|cts)$/.test(path) && !path.endsWith('.d.ts')) return 'TypeScript source';
  if (/(^|\/)(test|tests|fixtures)\//.test(path)) return 'a test or fixture';
  return undefined;
}

function licenseFile(files: PackageFiles): string | undefined {
  return ['LICENSE.md', 'LICENSE.txt'].find((name) => files.has(name));
}

/** Problems with the package's contents; empty when it holds what it needs and nothing else. */
export function checkPackage(files: PackageFiles, webviewAssets: readonly string[]): string[] {
  const problems: string[] = [];
  const manifestData = files.get('package.json');
  if (!manifestData) return ['package.json is missing'];
  const manifest = JSON.parse(manifestData.toString('utf8')) as Manifest;

  const required = new Set<string>(['readme.md', 'changelog.md', BACKEND_BUNDLE, ...webviewAssets, ...contributedFiles(manifest), ...translationFiles(manifest)]);
  if (typeof manifest.main === 'string') required.add(manifest.main.replace(/^\.\//, ''));
  if (typeof manifest.icon === 'string') required.add(manifest.icon.replace(/^\.\//, ''));
  for (const path of [...required].sort()) {
    if (!files.has(path)) problems.push(`missing: ${path}`);
  }
  if (licenseFile(files) === undefined) problems.push('missing: LICENSE.txt or LICENSE.md (from the LICENSE file)');

  for (const [path, data] of files) {
    if (path.endsWith('.css')) {
      for (const url of cssUrls(data.toString('utf8'))) {
        const target = join(path, '..', url).replace(/\\/g, '/');
        if (!files.has(target)) problems.push(`missing: ${target} (loaded by ${path})`);
      }
    }
    const kind = forbiddenKind(path);
    if (kind !== undefined) problems.push(`unwanted: ${path} is ${kind}`);
    else if (!required.has(path) && path !== licenseFile(files) && path !== 'package.json' && !allowed(path)) {
      problems.push(`unwanted: ${path} is not something the extension loads (.vscodeignore lets it in)`);
    }
  }
  return problems;
}

/** Relative `url(...)`s of a stylesheet, without query or fragment (codicon.css: `./codicon.ttf?hash`). */
function cssUrls(css: string): string[] {
  const urls: string[] = [];
  for (const match of css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)) {
    const url = match[2]!.trim();
    if (/^(data:|[a-z][a-z0-9+.-]*:|#|\/)/i.test(url)) continue;
    urls.push(url.replace(/[?#].*$/, ''));
  }
  return urls;
}

/**
 * The translation files the manifest needs: package.nls.json when a field is a `%key%` (without it
 * the editor shows the key), and the `l10n` folder's English bundle when the manifest names one.
 */
export function translationFiles(manifest: Manifest): string[] {
  const files: string[] = [];
  if (nlsReferences(manifest).size > 0) files.push(NLS_FILE);
  if (typeof manifest.l10n === 'string') files.push(`${manifest.l10n.replace(/^\.\//, '').replace(/\/$/, '')}/bundle.l10n.json`);
  return files;
}

const NLS_FILE = 'package.nls.json';

/** The manifest's `%key%` strings: key → the field that holds it. */
export function nlsReferences(manifest: unknown): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      const match = /^%(.+)%$/.exec(value);
      if (match) found.set(match[1]!, path);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(manifest, '');
  return found;
}

/** File paths the manifest's `contributes` names (view icons, walkthrough media): each must be packaged. */
export function contributedFiles(manifest: Manifest): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (/^(\.\/)?(media|dist)\/\S+\.[a-z0-9]+$/i.test(value)) found.push(value.replace(/^\.\//, ''));
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(manifest.contributes);
  return found;
}

// ---- The manifest, as a registry checks it ----

export interface Manifest {
  name?: unknown;
  publisher?: unknown;
  version?: unknown;
  displayName?: unknown;
  description?: unknown;
  license?: unknown;
  icon?: unknown;
  main?: unknown;
  repository?: unknown;
  keywords?: unknown;
  categories?: unknown;
  engines?: { vscode?: unknown };
  activationEvents?: unknown;
  l10n?: unknown;
  contributes?: Record<string, unknown>;
}

/** The Marketplace's categories (vsce refuses others). */
const CATEGORIES = new Set([
  'AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps',
  'Language Packs', 'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers',
  'Snippets', 'Testing', 'Themes', 'Visualization',
]);
/** The Marketplace shows the icon at 128×128 and wants at least that. */
const ICON_MIN_SIZE = 128;

/** The manifest's repository URL, if it names one a registry can link to. */
export function repositoryUrl(manifest: Manifest): string | undefined {
  const url = typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' && /^(https?:\/\/|git\+https:\/\/|git@)/.test(url) ? url : undefined;
}

/**
 * Problems a registry would report for the packaged manifest; empty when it would take it.
 * `requireRepository: false` leaves out the one problem packaging itself tolerates (vsce warns).
 */
export function checkManifest(files: PackageFiles, { requireRepository = true } = {}): string[] {
  const data = files.get('package.json');
  if (!data) return ['package.json is missing'];
  const manifest = JSON.parse(data.toString('utf8')) as Manifest;
  const problems: string[] = [];
  const text = (field: keyof Manifest, rule: RegExp, ruleText: string): void => {
    const value = manifest[field];
    if (typeof value !== 'string' || value.trim() === '') problems.push(`package.json: "${field}" is required`);
    else if (!rule.test(value)) problems.push(`package.json: "${field}" ${JSON.stringify(value)} must be ${ruleText}`);
  };
  text('name', /^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
  text('publisher', /^[a-z0-9][a-z0-9-]*$/i, 'letters, digits and dashes');
  text('version', /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a semantic version (1.2.3)');
  text('displayName', /\S/, 'non-empty');
  text('description', /\S/, 'non-empty');
  text('license', /\S/, 'an SPDX identifier');
  if (typeof manifest.engines?.vscode !== 'string') problems.push('package.json: "engines.vscode" is required');

  if (requireRepository && repositoryUrl(manifest) === undefined) {
    problems.push('package.json: "repository" needs a URL (Open VSX and the Marketplace link to it)');
  }
  if (licenseFile(files) === undefined) problems.push('no LICENSE file for the "license" field');

  if (typeof manifest.icon !== 'string') problems.push('package.json: "icon" is required (a PNG)');
  else {
    const icon = files.get(manifest.icon.replace(/^\.\//, ''));
    const size = icon && pngSize(icon);
    if (!icon) problems.push(`icon ${manifest.icon} is not in the package`);
    else if (!size) problems.push(`icon ${manifest.icon} is not a PNG (registries refuse SVG icons)`);
    else if (size.width < ICON_MIN_SIZE || size.height < ICON_MIN_SIZE || size.width !== size.height) {
      problems.push(`icon ${manifest.icon} is ${size.width}×${size.height}; it must be square and at least ${ICON_MIN_SIZE}×${ICON_MIN_SIZE}`);
    }
  }

  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push('package.json: "keywords" helps users find the extension: add some');
  else if (manifest.keywords.length > 30) problems.push(`package.json: ${manifest.keywords.length} keywords; at most 30 are allowed`);
  if (!Array.isArray(manifest.categories) || manifest.categories.length === 0) problems.push('package.json: "categories" is required');
  else {
    for (const category of manifest.categories) {
      if (!CATEGORIES.has(String(category))) problems.push(`package.json: category ${JSON.stringify(category)} is not one the Marketplace knows`);
    }
  }
  if (Array.isArray(manifest.activationEvents) && manifest.activationEvents.includes('*')) {
    problems.push('package.json: activation on "*" slows every window down');
  }
  problems.push(...translationProblems(manifest, files));
  return problems;
}

/**
 * Every `%key%` needs its English text in the packaged package.nls.json: the editor and the
 * registries show the raw key otherwise. The English bundle must be a JSON object of strings.
 */
function translationProblems(manifest: Manifest, files: PackageFiles): string[] {
  const problems: string[] = [];
  const references = nlsReferences(manifest);
  if (references.size > 0) {
    const data = files.get(NLS_FILE);
    let texts: Record<string, unknown> = {};
    try {
      texts = data ? (JSON.parse(data.toString('utf8')) as Record<string, unknown>) : {};
    } catch (error) {
      problems.push(`${NLS_FILE} is not JSON: ${(error as Error).message}`);
    }
    if (!data) problems.push(`package.json has ${references.size} %key% texts but the package holds no ${NLS_FILE}`);
    else {
      for (const [key, path] of references) {
        if (typeof texts[key] !== 'string' || (texts[key] as string).trim() === '') problems.push(`package.json: ${path} is "%${key}%", which ${NLS_FILE} does not define`);
      }
    }
  }
  if (typeof manifest.l10n === 'string') {
    const bundlePath = translationFiles({ l10n: manifest.l10n }).at(-1)!;
    const data = files.get(bundlePath);
    if (data) {
      try {
        const bundle = JSON.parse(data.toString('utf8')) as unknown;
        if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) problems.push(`${bundlePath} must hold a JSON object of messages`);
      } catch (error) {
        problems.push(`${bundlePath} is not JSON: ${(error as Error).message}`);
      }
    } else {
      problems.push(`package.json: "l10n" names ${manifest.l10n}, but the package holds no ${bundlePath}`);
    }
  }
  return problems;
}

/** Width and height of a PNG, from its IHDR chunk; undefined when the data is not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length < 24 || !data.subarray(0, 8).equals(signature) || data.toString('ascii', 12, 16) !== 'IHDR') return undefined;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
