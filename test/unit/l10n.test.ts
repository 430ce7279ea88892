/**
 * Translations can only reach what the packages list: every `%key%` of the manifest must be in
 * package.nls.json, and every `l10n.t` message of the extension and its webview pages in
 * l10n/bundle.l10n.json, the bundle a language pack translates. The bundle is compared with what
 * @vscode/l10n-dev extracts from the sources now, so a message added without `npm run l10n` fails
 * here, and so does a call the extractor cannot read (a message that is not a string literal).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { getL10nJson } from '@vscode/l10n-dev';
import { repoRoot } from '../e2e/harness/paths';
import { nlsReferences } from '../package/packageCheck';

const SOURCE_FOLDERS = ['client/src', 'media/src'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { l10n?: string; contributes?: unknown };
const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;

test('l10n: every %key% of package.json is in package.nls.json, and every key there is used', () => {
  const references = nlsReferences(manifest);
  assert.ok(references.size > 50, `only ${references.size} %key% references: the manifest's texts are not localised`);
  const missing = [...references].filter(([key]) => typeof nls[key] !== 'string' || nls[key]!.trim() === '').map(([key, path]) => `package.json ${path}: %${key}%`);
  assert.deepEqual(missing, [], 'keys without an English text in package.nls.json');
  const unused = Object.keys(nls).filter((key) => !references.has(key));
  assert.deepEqual(unused, [], 'package.nls.json keys no manifest field uses');
});

test('l10n: the contributed texts a user reads are all %key% references', () => {
  // Command titles, view names, settings and walkthrough texts: a literal here cannot be translated.
  const literals: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) visit(item, `${path}.${key}`);
    else if (typeof value === 'string' && /\.(title|name|contents|description|markdownDescription|patternErrorMessage|altText|enumDescriptions\[\d+\])$/.test(path) && !/^%.+%$/.test(value)) {
      literals.push(`${path}: ${JSON.stringify(value)}`);
    }
  };
  visit(manifest.contributes, 'contributes');
  assert.deepEqual(literals, []);
});

test('l10n: package.json points at the bundle folder', () => {
  assert.equal(manifest.l10n, './l10n');
});

test('l10n: the bundle holds exactly the l10n.t messages of the extension and its webview pages', async () => {
  const files = SOURCE_FOLDERS.flatMap(sourceFiles).map((file) => ({ extension: '.ts', contents: readFileSync(file, 'utf8') }));
  const extracted = await getL10nJson(files);
  const bundle = JSON.parse(readFileSync(join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
  const missing = Object.keys(extracted).filter((key) => !(key in bundle));
  const stale = Object.keys(bundle).filter((key) => !(key in extracted));
  assert.deepEqual(missing, [], 'messages missing from l10n/bundle.l10n.json: run "npm run l10n"');
  assert.deepEqual(stale, [], 'messages in l10n/bundle.l10n.json no source uses any more: run "npm run l10n"');
  for (const [key, value] of Object.entries(extracted)) assert.deepEqual(bundle[key], value, `the bundle's entry for ${JSON.stringify(key)}`);
  // Strings the views, commands and pages show: a handful of known ones must be there.
  for (const message of ['NAQ: cannot {0}: {1}', 'Failed', 'Pause', 'Attempt {0} of {1}', 'Live: {0}', 'NAQ Tail: {0}']) {
    assert.ok(message in bundle, `${JSON.stringify(message)} is not in the bundle`);
  }
});

test('l10n: every l10n.t call passes a string literal, the only message the extractor can read', () => {
  const unreadable: string[] = [];
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\bl10n\.t\(\s*(.)/g)) {
      // '…' or "…" or the object form { message: '…', … }.
      if (match[1] === "'" || match[1] === '"') continue;
      if (match[1] === '{' && /^\{\s*message:\s*['"]/.test(text.slice(match.index + match[0].length - 1))) continue;
      const line = text.slice(0, match.index).split('\n').length;
      unreadable.push(`${relative(repoRoot, file)}:${line}`);
    }
  }
  assert.deepEqual(unreadable, [], 'l10n.t calls whose message is not a literal (a template or a variable is never translated)');
});
