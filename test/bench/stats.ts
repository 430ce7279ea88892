import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Percentile of a sample (nearest rank), in the sample's unit. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export async function timed<T>(body: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await body();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export interface Check {
  name: string;
  value: number;
  unit: string;
  target: string;
  ok: boolean;
  /** The same figure measured the baseline way in the same run, and how ours compares. */
  baseline?: { name: string; value: number; comparison: string };
  /** A figure printed for information, held to no target. */
  info?: true;
}

export function report(title: string, checks: Check[]): boolean {
  console.log(`\n== ${title}`);
  for (const c of checks) {
    const base = c.baseline ? `  | ${c.baseline.name}: ${c.baseline.value.toFixed(1)} ${c.unit}, ${c.baseline.comparison}` : '';
    console.log(`${c.info ? 'INFO' : c.ok ? 'PASS' : 'MISS'}  ${c.name}: ${c.value.toFixed(1)} ${c.unit}${c.info ? '' : ` (target ${c.target})`}${base}`);
  }
  return checks.every((c) => c.ok);
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * A bound for reading or writing `events` that fits the 10M size on a slow machine: 120 s, or the time
 * at 20,000 events/s (a fifth of the slowest rate measured on a loaded machine) when that is longer.
 */
export function boundForEvents(events: number): number {
  return Math.max(120_000, (events / 20_000) * 1000);
}

/** A full collection in this process (benchmarks measuring their own heap). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * What the heap and the typed arrays' buffers (outside the heap) hold together, once collecting
 * frees nothing more: a buffer left behind when a typed array grew is released a collection after
 * the one that found it dead, so one collection still counted ~15 MB of them.
 */
export function usedBytes(): number {
  let used = Infinity;
  for (let round = 0; round < 5; round++) {
    collectGarbage();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    if (heapUsed + arrayBuffers >= used) break;
    used = heapUsed + arrayBuffers;
  }
  return used;
}

/** Node's options for a child process whose retained memory `retainedMb` reads: a heap snapshot on SIGUSR2, written into `dir`. */
export function heapSnapshotOptions(dir: string): string {
  return `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;
}

/** A heap snapshot's JSON, once the process has written all of it: the part read so far, else undefined. */
function completeSnapshot(file: string): { snapshot: { meta: { node_fields: string[] } }; nodes: number[] } | undefined {
  const text = readFileSync(file, 'utf8');
  if (!text.endsWith(']}') && !text.endsWith(']}\n')) return undefined;
  try {
    return JSON.parse(text) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  } catch {
    return undefined;
  }
}

/**
 * What a child process started with `heapSnapshotOptions(dir)` retains, in MB: the total of a heap snapshot, which
 * V8 takes after collecting everything it can and which counts the array buffers' data. RSS also holds the heap's
 * headroom, which follows how much garbage the process made, not what it keeps.
 */
export async function retainedMb(pid: number, dir: string, timeoutMs = 300_000): Promise<number> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    const snapshot = file === undefined ? undefined : completeSnapshot(join(dir, file));
    if (file !== undefined && snapshot !== undefined) {
      rmSync(join(dir, file));
      const fields = snapshot.snapshot.meta.node_fields;
      const size = fields.indexOf('self_size');
      let bytes = 0;
      for (let i = size; i < snapshot.nodes.length; i += fields.length) bytes += snapshot.nodes[i] as number;
      return bytes / 1e6;
    }
    if (Date.now() > deadline) throw new Error(`no complete heap snapshot of process ${pid} in ${dir} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
