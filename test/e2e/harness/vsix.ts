/**
 * The packaged extension: the `.vsix` that `npm run package` writes, which the real-editor tests and
 * the editor benchmark install into a fresh profile exactly as a user would. It is built here when it
 * is missing or older than anything it is made of, so one run builds it once.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

interface Manifest {
  publisher: string;
  name: string;
  version: string;
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

/** `publisher.name`, as the editor names the extension. */
export function extensionId(): string {
  const { publisher, name } = manifest();
  return `${publisher}.${name}`;
}

/** Where `vsce package` writes the package (its default name, in the repository root). */
export function vsixPath(): string {
  const { name, version } = manifest();
  return join(repoRoot, `${name}-${version}.vsix`);
}

/** Files and folders the package is built from: a change to any of them makes the package stale. */
const INPUTS = ['package.json', 'package-lock.json', '.vscodeignore', 'esbuild.mjs', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media', 'client/src', 'server/src'];

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), stat.mtimeMs);
}

/** Why the package must be (re)built, or undefined when it is up to date. */
export function staleReason(): string | undefined {
  const vsix = vsixPath();
  if (!existsSync(vsix)) return `${vsix} does not exist`;
  const built = statSync(vsix).mtimeMs;
  const changed = INPUTS.find((input) => newestChange(join(repoRoot, input)) > built);
  return changed === undefined ? undefined : `${changed} changed after ${vsix} was built`;
}

/** The up-to-date package's path, running `npm run package` first when it is missing or stale. */
export function packagedExtension(log: (line: string) => void = console.log): string {
  const reason = staleReason();
  if (reason !== undefined) {
    log(`packaging the extension (${reason}): npm run package`);
    // The production build and vsce take about 20 s; the limit is for a hang, not a slow machine.
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  }
  return vsixPath();
}
