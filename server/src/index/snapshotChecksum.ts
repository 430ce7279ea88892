import { Worker } from 'node:worker_threads';

/** A SHA-256 of everything before it ends the file: one flipped bit anywhere refuses the whole snapshot. */
export const CHECKSUM = 'sha256';
export const CHECKSUM_BYTES = 32;

/**
 * Run as its own thread: reads the file by the descriptor it is given (threads share them; positional reads
 * do not disturb the other thread's) and posts whether the checksum at `end` is that of the bytes before it.
 * Plain JavaScript in a string, so that it runs the same from the bundle and from the sources under test.
 */
const VERIFY = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { readSync } = require('node:fs');
const { fd, end, algorithm, digestBytes } = workerData;
const hash = createHash(algorithm);
const chunk = Buffer.allocUnsafe(1 << 20);
let at = 0;
for (let got = 1; at < end && got > 0; at += got) {
  got = readSync(fd, chunk, 0, Math.min(chunk.length, end - at), at);
  hash.update(chunk.subarray(0, got));
}
const stored = Buffer.alloc(digestBytes);
parentPort.postMessage(at === end && readSync(fd, stored, 0, digestBytes, end) === digestBytes && hash.digest().equals(stored));
`;

/**
 * Whether the file open at `fd` ends with the checksum of everything before it, worked out on another thread:
 * at 10,000,000 events that is 224 MB to hash, 107 ms that the load's own reading no longer waits for.
 * `fd` must stay open until this settles.
 */
export function checksumHolds(fd: number, size: number): Promise<boolean> {
  if (size < CHECKSUM_BYTES) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const worker = new Worker(VERIFY, { eval: true, workerData: { fd, end: size - CHECKSUM_BYTES, algorithm: CHECKSUM, digestBytes: CHECKSUM_BYTES } });
    worker.once('message', (holds: boolean) => resolve(holds));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the checksum's thread ended (code ${code}) without a verdict`)));
  });
}
