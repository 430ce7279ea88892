import { execFileSync } from 'node:child_process';

/**
 * Run in a Node process of its own: reads every file under the directory it is given into memory
 * that process never touched before, and prints how long that took and how many bytes it read.
 */
const READ_ALL = `
const { readdirSync, openSync, readSync, closeSync, fstatSync } = require('node:fs');
const { join } = require('node:path');
const started = performance.now();
let bytes = 0;
// Every file's bytes are held to the end: a freed buffer's memory, taken again for the next file, would be touched already.
const kept = [];
for (const entry of readdirSync(process.argv[1], { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const fd = openSync(join(entry.parentPath ?? entry.path, entry.name), 'r');
  const into = new Uint8Array(fstatSync(fd).size);
  for (let at = 0; at < into.length; ) {
    const got = readSync(fd, into, at, into.length - at, at);
    if (got === 0) break;
    at += got;
  }
  closeSync(fd);
  kept.push(into);
  bytes += into.length;
}
console.log(JSON.stringify({ ms: performance.now() - started, bytes }));
`;

/**
 * What a restart from the files under `dir` cannot beat on this machine: a fresh process reading them
 * into new memory. Where first touching memory is dear (a virtual machine faulting every page in),
 * that costs far more than reading the files (on the shared 2-CPU machine: about 600 ms for 200 MB
 * into new memory, 20 ms into memory already touched), and a restart's own time is read against it.
 */
export function readIntoFreshMemory(dir: string): { ms: number; bytes: number } {
  const out = execFileSync(process.execPath, ['-e', READ_ALL, dir], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as { ms: number; bytes: number };
}
