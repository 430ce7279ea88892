/**
 * Maps the paths a worker printed (`/app/billing/tasks.py` in a container) onto the workspace's files: a
 * `naq.pathMappings` entry when one matches, otherwise the longest path suffix that exists in a workspace
 * folder. Corrects line drift by looking for the printed source line near the reported line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TracebackFrame } from './traceback';

export interface PathMapping {
  readonly remote: string;
  readonly local: string;
}

export interface MappedFrame {
  /** Absolute path of the workspace file. */
  readonly file: string;
  /** 1-based, corrected for drift when the printed source line was found nearby. */
  readonly line: number;
  /** 0-based column range of the marked expression on that line, or of the line's text. */
  readonly start: number;
  readonly end: number;
}

/** How far from the reported line the printed source is looked for. */
const DRIFT_LINES = 50;
/** Longest file read for drift correction. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** The workspace's files as the mapper sees them; a real disk by default, the editor's buffers when open. */
export interface SourceFiles {
  exists(file: string): boolean;
  lines(file: string): readonly string[] | undefined;
}

export const diskFiles: SourceFiles = {
  exists: (file) => existsSync(file) && statSync(file).isFile(),
  lines: (file) => {
    try {
      return statSync(file).size > MAX_SOURCE_BYTES ? undefined : readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      return undefined;
    }
  },
};

function segments(remote: string): string[] {
  return remote.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
}

/** Paths no workspace holds: `<string>`, `<frozen ...>`, `node:internal/...`. */
function isSynthetic(remote: string): boolean {
  return remote.startsWith('<') || remote.startsWith('node:');
}

/** Installed code: its `__init__.py` must not land on the workspace's by suffix (a mapping may still name it). */
const INSTALLED = /\/(?:site-packages|dist-packages|node_modules)\/|\/lib\/python\d+(?:\.\d+)?\//;

export class PathMapper {
  private readonly cache = new Map<string, string | null>();

  constructor(
    private readonly folders: readonly string[],
    private readonly mappings: readonly PathMapping[] = [],
    private readonly files: SourceFiles = diskFiles,
  ) {}

  /** The workspace file for a printed path, or undefined when the workspace has none. */
  mapPath(remote: string): string | undefined {
    let local = this.cache.get(remote);
    if (local === undefined) {
      local = this.resolve(remote) ?? null;
      this.cache.set(remote, local);
    }
    return local ?? undefined;
  }

  /** Where a frame lands in the workspace; undefined for frames outside it (they are kept, not mapped). */
  mapFrame(frame: TracebackFrame): MappedFrame | undefined {
    const file = this.mapPath(frame.file);
    if (!file) {
      return undefined;
    }
    const lines = this.files.lines(file);
    const line = lines ? correctDrift(lines, frame.line, frame.source) : frame.line;
    const text = lines?.[line - 1] ?? '';
    const indent = text.length - text.trimStart().length;
    const matches = frame.source !== undefined && text.trim() === frame.source;
    if (matches && frame.caret) {
      return { file, line, start: indent + frame.caret.start, end: indent + frame.caret.end };
    }
    return { file, line, start: indent, end: Math.max(indent, text.trimEnd().length) };
  }

  private resolve(remote: string): string | undefined {
    if (isSynthetic(remote)) {
      return undefined;
    }
    const normalised = remote.replace(/\\/g, '/');
    const mapping = [...this.mappings]
      .filter((entry) => normalised === entry.remote.replace(/\/+$/, '') || normalised.startsWith(`${entry.remote.replace(/\/+$/, '')}/`))
      .sort((a, b) => b.remote.length - a.remote.length)[0];
    if (mapping) {
      const rest = normalised.slice(mapping.remote.replace(/\/+$/, '').length);
      const local = path.join(mapping.local, ...segments(rest));
      return this.files.exists(local) ? local : undefined;
    }
    if (INSTALLED.test(normalised)) {
      return undefined;
    }
    const parts = segments(normalised);
    for (let take = parts.length; take >= 1; take--) {
      for (const folder of this.folders) {
        const candidate = path.join(folder, ...parts.slice(parts.length - take));
        if (this.files.exists(candidate)) {
          return candidate;
        }
      }
    }
    return undefined;
  }
}

/** The reported line if it still reads as printed, else the nearest line that does, else the reported line. */
export function correctDrift(lines: readonly string[], reported: number, source: string | undefined): number {
  if (source === undefined || source === '' || lines[reported - 1]?.trim() === source) {
    return reported;
  }
  for (let distance = 1; distance <= DRIFT_LINES; distance++) {
    for (const candidate of [reported - distance, reported + distance]) {
      if (lines[candidate - 1]?.trim() === source) {
        return candidate;
      }
    }
  }
  return reported;
}
