/**
 * The package check CI runs (test/run-all.sh): builds the .vsix when missing or stale, then checks
 * that it holds everything the extension loads and nothing else, that the manifest is one Open VSX
 * and the Marketplace take, and that `vsce ls` lists the same files without a warning.
 * Exit code 1 with one line per problem.
 *
 * The repository has no public address yet, so by default a manifest without `repository` passes
 * with a notice (vsce packages it, warning); `--publish` makes that a failure, as a registry would.
 *
 *   npx tsx test/package/main.ts [--publish] [file.vsix]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagedExtension, repoRoot } from '../e2e/harness';
import { checkManifest, checkPackage, expectedWebviewAssets, extensionFiles, type Manifest, packagedName, repositoryUrl } from './packageCheck';
import { readZip } from './zip';

/** `vsce ls`: the files vsce would package, and any warning it prints on the way. */
function vsceListing(): { files: string[]; warnings: string[] } {
  const output = execFileSync(join(repoRoot, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const warnings = lines.filter((line) => /\b(WARNING|ERROR)\b/.test(line));
  return { files: lines.filter((line) => !warnings.includes(line)), warnings };
}

function main(): void {
  const args = process.argv.slice(2);
  const publish = args.includes('--publish');
  const vsix = args.find((arg) => !arg.startsWith('--')) ?? packagedExtension();
  const files = extensionFiles(readZip(readFileSync(vsix)));
  const problems = [...checkPackage(files, expectedWebviewAssets(repoRoot)), ...checkManifest(files, { requireRepository: publish })];
  const manifest = JSON.parse(files.get('package.json')?.toString('utf8') ?? '{}') as Manifest;
  if (!publish && repositoryUrl(manifest) === undefined) {
    console.log('package check: notice: not ready to publish: package.json names no "repository" (Open VSX and the Marketplace link to it)');
  }

  const listing = vsceListing();
  problems.push(...listing.warnings.map((warning) => `vsce ls: ${warning}`));
  const packaged = new Set([...files.keys()].filter((path) => !path.endsWith('.vsixmanifest')));
  const listed = new Set(listing.files.map(packagedName));
  for (const path of listed) if (!packaged.has(path)) problems.push(`vsce ls lists ${path}, which ${vsix} lacks (a stale package?)`);
  for (const path of packaged) if (!listed.has(path)) problems.push(`${vsix} holds ${path}, which vsce ls does not list (a stale package?)`);

  console.log(`package check: ${vsix}, ${files.size} files`);
  for (const path of [...files.keys()].sort()) console.log(`  ${path} (${files.get(path)!.length} bytes)`);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`package check: ${problem}`);
    process.exitCode = 1;
    return;
  }
  console.log('package check: passed');
}

main();
