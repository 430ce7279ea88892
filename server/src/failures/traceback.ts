/**
 * Parses the tracebacks that failed jobs leave behind: Python's `traceback.format_exc()` text (3.8–3.13, with
 * PEP 657 caret lines, chained blocks, exception groups and SyntaxError frames) and Node/V8 `error.stack` text.
 * Pure: no I/O, every pattern bounded in length so that a hostile traceback costs linear time.
 */

export interface TracebackFrame {
  /** The path as the worker printed it (a container's `/app/...`, `<string>`, `<frozen importlib._bootstrap>`). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based column where V8 gave one. */
  readonly column?: number;
  /** PEP 657 carets: the marked range as 0-based offsets into `source`. */
  readonly caret?: { readonly start: number; readonly end: number };
  /** Absent for a Python SyntaxError frame, which names no function. */
  readonly function?: string;
  /** The source text the runtime printed for this frame, trimmed; absent when it printed none. */
  readonly source?: string;
  /** "[Previous line repeated N more times]" after this frame. */
  readonly repeated?: number;
}

export type ChainRelation = 'cause' | 'context';

export interface ExceptionBlock {
  /** As printed: `ValueError`, `msgpack.exceptions.OutOfData`, `QueueError`. */
  readonly type: string;
  readonly message: string;
  /** Outermost call first, as both runtimes print them: the last frame is the raise site. */
  readonly frames: readonly TracebackFrame[];
  /** How this block follows the previous one of its chain; absent for the first block. */
  readonly relation?: ChainRelation;
  /** The sub-exceptions of an exception group, each the block that was raised in its branch. */
  readonly exceptions?: readonly ExceptionBlock[];
}

export interface ParsedTraceback {
  readonly language: 'python' | 'node';
  /** What was raised: the last block of the outermost chain. */
  readonly raised: ExceptionBlock;
  /** The outermost chain in printed order, the raised block last. */
  readonly chain: readonly ExceptionBlock[];
}

/** What a failure keeps of its traceback: the raised block (its type, message and frames are all the store reads). */
export type RaisedTraceback = Pick<ParsedTraceback, 'raised'>;

/** Longest traceback text read; the rest is cut (NAQ workers can print recursion tracebacks of megabytes). */
export const MAX_TRACEBACK_CHARS = 1_000_000;
const MAX_LINE_CHARS = 4096;

const PY_FRAME = /^ {0,8}File "(.{1,1024}?)", line (\d{1,9})(?:, in (.{1,512}))?$/;
const PY_START = /^(?:Exception Group )?Traceback \(most recent call last\):$/;
const PY_CARETS = /^ *[~^]{1,1024} *$/;
const PY_REPEATED = /^ {0,8}\[Previous line repeated (\d{1,9}) more times?\]$/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]{0,255})(?:: ?([\s\S]{0,4096}))?$/;
const PY_CAUSE = 'The above exception was the direct cause of the following exception:';
const PY_CONTEXT = 'During handling of the above exception, another exception occurred:';
const GROUP_HEADER = /^( {0,64})\+ Exception Group Traceback \(most recent call last\):$/;
const GROUP_SEPARATOR = /^( {0,64})((?:\+-){0,32})\+-{2,64}(?: (?:\d{1,6}|\.\.\.) -{2,64}| ?\.\.\. ?.{0,80})?$/;
const GROUP_LINE = /^( {0,64})\| ?(.{0,4096})$/;

const V8_FRAME = /^ {1,8}at (?:(async )?(.{1,512}?) \()?(.{1,1024}?):(\d{1,9}):(\d{1,9})\)?$/;
const V8_NATIVE = /^ {1,8}at (?:.{1,512} \()?(?:native|<anonymous>)\)?$/;
const V8_ERROR = /^([A-Za-z_$][\w$.]{0,255})(?:: ([\s\S]{0,4096}))?$/;

/** Reads a traceback in either runtime's format; undefined when the text holds neither. */
export function parseTraceback(text: string | readonly string[]): ParsedTraceback | undefined {
  const joined = typeof text === 'string' ? text : text.map((line) => line.replace(/\n$/, '')).join('\n');
  const lines = joined.slice(0, MAX_TRACEBACK_CHARS).split(/\r?\n/).map((line) => line.slice(0, MAX_LINE_CHARS));
  if (lines.some((line) => PY_START.test(line.trim()) || GROUP_HEADER.test(line))) {
    return parsePython(lines);
  }
  if (lines.some((line) => V8_FRAME.test(line))) {
    return parseNode(lines);
  }
  return undefined;
}

interface Line {
  /** Column of the group bar this line sits behind; -1 outside any exception group. */
  readonly level: number;
  readonly text: string;
  /** Set on the separator lines between the branches of a group: the branch level they open or close. */
  readonly separator?: number;
}

function ungroup(lines: readonly string[]): Line[] {
  const out: Line[] = [];
  let inGroup = false;
  for (const raw of lines) {
    const header = GROUP_HEADER.exec(raw);
    if (header) {
      inGroup = true;
      out.push({ level: header[1].length, text: 'Exception Group Traceback (most recent call last):' });
      continue;
    }
    const separator = inGroup ? GROUP_SEPARATOR.exec(raw) : null;
    if (separator) {
      out.push({ level: -1, text: '', separator: separator[1].length + separator[2].length });
      continue;
    }
    const barred = inGroup ? GROUP_LINE.exec(raw) : null;
    out.push(barred ? { level: barred[1].length, text: barred[2] } : { level: -1, text: raw });
  }
  return out;
}

interface MutableBlock {
  level: number;
  branch: number;
  type: string;
  message: string[];
  frames: TracebackFrame[];
  relation?: ChainRelation;
  group: boolean;
}

function parsePython(lines: readonly string[]): ParsedTraceback | undefined {
  const blocks: MutableBlock[] = [];
  const pendingRelation = new Map<number, ChainRelation>();
  let branch = 0;
  let current: MutableBlock | undefined;
  let inMessage = false;
  for (const { level, text, separator } of ungroup(lines)) {
    if (separator !== undefined) {
      branch += 1;
      current = undefined;
      continue;
    }
    if (PY_START.test(text)) {
      current = { level, branch, type: '', message: [], frames: [], group: text.startsWith('Exception Group'), relation: pendingRelation.get(level) };
      pendingRelation.delete(level);
      blocks.push(current);
      inMessage = false;
      continue;
    }
    if (text === PY_CAUSE || text === PY_CONTEXT) {
      pendingRelation.set(level, text === PY_CAUSE ? 'cause' : 'context');
      current = undefined;
      continue;
    }
    if (!current || level !== current.level) {
      continue;
    }
    if (inMessage) {
      current.message.push(text);
      continue;
    }
    const frame = PY_FRAME.exec(text);
    if (frame) {
      current.frames.push({ file: frame[1], line: Number(frame[2]), ...(frame[3] === undefined ? {} : { function: frame[3] }) });
      continue;
    }
    const last = current.frames[current.frames.length - 1];
    const repeated = PY_REPEATED.exec(text);
    if (repeated && last) {
      current.frames[current.frames.length - 1] = { ...last, repeated: Number(repeated[1]) };
      continue;
    }
    if (last && /^ {4}/.test(text)) {
      if (PY_CARETS.test(text) && last.source !== undefined) {
        // Python prints the source stripped behind four spaces and the carets aligned under it.
        const start = text.search(/[~^]/) - 4;
        current.frames[current.frames.length - 1] = { ...last, caret: { start, end: text.trimEnd().length - 4 } };
      } else if (last.source === undefined) {
        current.frames[current.frames.length - 1] = { ...last, source: text.trim() };
      }
      continue;
    }
    if (text.trim() === '') {
      continue;
    }
    const exception = PY_EXCEPTION.exec(text);
    if (exception) {
      current.type = exception[1];
      current.message = exception[2] === undefined ? [] : [exception[2]];
      inMessage = true;
    }
  }
  const complete = blocks.filter((block) => block.type !== '');
  if (complete.length === 0) {
    return undefined;
  }
  const top = Math.min(...complete.map((block) => block.level));
  const chain = complete.filter((block) => block.level === top).map((block) => freeze(block, complete));
  return { language: 'python', raised: chain[chain.length - 1], chain };
}

function freeze(block: MutableBlock, all: readonly MutableBlock[]): ExceptionBlock {
  const message = block.message.join('\n').replace(/\n+$/, '');
  const base = { type: block.type, message, frames: block.frames, ...(block.relation ? { relation: block.relation } : {}) };
  if (!block.group) {
    return base;
  }
  const start = all.indexOf(block);
  const lastOfBranch = new Map<number, MutableBlock>();
  for (const candidate of all.slice(start + 1)) {
    if (candidate.level <= block.level) {
      break;
    }
    if (candidate.level === block.level + 2) {
      lastOfBranch.set(candidate.branch, candidate);
    }
  }
  return { ...base, exceptions: [...lastOfBranch.values()].map((sub) => freeze(sub, all)) };
}

function parseNode(lines: readonly string[]): ParsedTraceback | undefined {
  const firstFrame = lines.findIndex((line) => V8_FRAME.test(line) || V8_NATIVE.test(line));
  let head = firstFrame - 1;
  // The error's first line is the nearest line above the frames that reads `Name: message` or `Name`
  // and follows a blank line or the start (an uncaught error's `file:line` header comes before a blank line).
  while (head > 0 && !(V8_ERROR.test(lines[head]) && lines[head - 1].trim() === '')) {
    head -= 1;
  }
  const error = V8_ERROR.exec(lines[Math.max(0, head)]);
  if (!error) {
    return undefined;
  }
  const message = [error[2] ?? '', ...lines.slice(Math.max(0, head) + 1, firstFrame)].join('\n').replace(/\n+$/, '');
  const frames: TracebackFrame[] = [];
  for (const line of lines.slice(firstFrame)) {
    const frame = V8_FRAME.exec(line);
    if (frame) {
      frames.push({ file: frame[3], line: Number(frame[4]), column: Number(frame[5]), ...(frame[2] === undefined ? {} : { function: frame[2] }) });
    } else if (!V8_NATIVE.test(line)) {
      break;
    }
  }
  // V8 prints the innermost call first; turn it over so both runtimes end at the raise site.
  const raised: ExceptionBlock = { type: error[1], message, frames: frames.reverse() };
  return { language: 'node', raised, chain: [raised] };
}

/** The useless types NAQ writes (it takes `type()` of the error string), replaced by the traceback's. */
const USELESS_ERROR_TYPES = new Set(['', 'str', 'NoneType']);

/** The exception type to show: the event's own unless it is missing or useless, then the traceback's. */
export function exceptionType(eventErrorType: string | undefined, traceback: RaisedTraceback | undefined): string | undefined {
  if (eventErrorType !== undefined && !USELESS_ERROR_TYPES.has(eventErrorType)) {
    return eventErrorType;
  }
  return traceback?.raised.type ?? (eventErrorType === '' ? undefined : eventErrorType);
}
