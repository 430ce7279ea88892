import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEvent } from '../../server/src/model/event';

/** The bad-input corpus (see generate.ts): payloads and what reading each must give. */

export interface CorpusCase {
  name: string;
  about: string;
  bytes: Uint8Array;
  /** Decoding fails with an EventDecodeError whose message matches. */
  error?: RegExp;
  /** Decoding gives an event whose fields match (see {@link assertFields}). */
  event?: Record<string, unknown>;
}

interface ManifestEntry {
  name: string;
  hex: string;
  about: string;
  error?: string;
  event?: Record<string, unknown>;
}

export const CORPUS_DIR = __dirname;

export function loadCorpus(): CorpusCase[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'manifest.json'), 'utf8')) as { cases: ManifestEntry[] };
  return manifest.cases.map((entry) => {
    const hex = readFileSync(join(CORPUS_DIR, entry.hex), 'utf8').replace(/\s+/g, '');
    assert.match(hex, /^([0-9a-f]{2})*$/, `${entry.hex} is not hex`);
    assert.ok((entry.error === undefined) !== (entry.event === undefined), `${entry.name}: exactly one of "error" and "event"`);
    return {
      name: entry.name,
      about: entry.about,
      bytes: Uint8Array.from(Buffer.from(hex, 'hex')),
      error: entry.error === undefined ? undefined : new RegExp(entry.error),
      event: entry.event,
    };
  });
}

function isMatcher(value: unknown): value is { $number?: string; $length?: number; $keys?: number } {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && ['$number', '$length', '$keys'].includes(Object.keys(value)[0] as string);
}

/** Each expected field equals the event's, or matches its `$number` / `$length` / `$keys` matcher. */
export function assertFields(event: JobEvent, expected: Record<string, unknown>, what: string): void {
  const actual = event as unknown as Record<string, unknown>;
  for (const [field, want] of Object.entries(expected)) {
    const got = actual[field];
    if (isMatcher(want)) {
      if (want.$number !== undefined) assert.ok(Object.is(got, Number(want.$number)), `${what}: ${field} is ${String(got)}, expected ${want.$number}`);
      if (want.$length !== undefined) assert.equal((got as string).length, want.$length, `${what}: length of ${field}`);
      if (want.$keys !== undefined) assert.equal(Object.keys(got as object).length, want.$keys, `${what}: keys of ${field}`);
    } else {
      assert.deepEqual(got, want, `${what}: field ${field}`);
    }
  }
}
