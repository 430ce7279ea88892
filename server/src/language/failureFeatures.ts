/**
 * The failures as standard LSP: diagnostics on raise sites, a code lens on the enclosing function, a hover on
 * the failing line; plus the VS Code-only `failures/*` requests. Any LSP editor gets the first three over stdio.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeLens,
  CodeLensRefreshRequest,
  Diagnostic,
  DiagnosticSeverity,
  Hover,
  MarkupKind,
  type Connection,
  type InitializeParams,
  type TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { guard, guard0 } from '../backend/requestGuard';
import type { FailureService } from '../failures/failureService';
import type { PlacedFailure } from '../failures/failureStore';
import type { MappedFrame } from '../failures/pathMapper';
import {
  FailuresChangedNotification,
  FailuresJobRequest,
  FailuresJobsRequest,
  FailuresListRequest,
  type FailureJobItem,
  type FailureSignatureItem,
  type FailureSite,
} from '../protocol/failures';
import { DEFAULT_FAILURE_SETTINGS, readFailureSettings, type EffectiveFailureSettings } from './failureSettings';

const SEVERITY: Record<EffectiveFailureSettings['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};
/** Diagnostics are republished this often so that "last N min ago" and the window stay true. */
const REFRESH_MS = 60_000;
/** Changes are coalesced so that a burst of failures costs one publish per file. */
const COALESCE_MS = 50;
/**
 * The next publish waits at least this many times as long as the last one took: while a build places failures
 * by the thousand into files of thousands, republishing every file each 50 ms would take most of the process.
 */
const FLUSH_COST_FACTOR = 10;
/** ...but never longer than this, so that a new failure still reaches its file within a second. */
const MAX_COALESCE_MS = 500;
const MAX_MESSAGE_CHARS = 200;
const HOVER_JOBS = 5;

export function ago(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line;
}

function timelineCommand(jobId: string): string {
  return `command:naq.openTimeline?${encodeURIComponent(JSON.stringify([jobId]))}`;
}

function rangeOf(at: MappedFrame) {
  return { start: { line: at.line - 1, character: at.start }, end: { line: at.line - 1, character: Math.max(at.end, at.start + 1) } };
}

function siteOf(at: MappedFrame | undefined): FailureSite | null {
  return at ? { uri: pathToFileURL(at.file).href, line: at.line - 1, character: at.start } : null;
}

/** Failures at the same line with the same signature: one diagnostic, one hover entry. */
interface SiteGroup {
  readonly line: number;
  readonly failures: readonly PlacedFailure[];
}

function groupBySite(failures: readonly PlacedFailure[]): SiteGroup[] {
  const groups = new Map<string, PlacedFailure[]>();
  for (const failure of failures) {
    const key = `${failure.site?.line}\n${failure.signature.id}`;
    // Pushed, not copied: a copy per failure made a file of 5,000 failures cost millions of element copies.
    const group = groups.get(key);
    if (group) group.push(failure);
    else groups.set(key, [failure]);
  }
  return [...groups.values()].map((group) => ({ line: (group[0].site as MappedFrame).line, failures: group }));
}

export class FailureFeatures {
  private settings = DEFAULT_FAILURE_SETTINGS;
  private folders: string[] = [];
  private codeLensRefresh = false;
  private readonly published = new Set<string>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  /** How long the last publish of changed files took, in ms. */
  private lastFlushMs = 0;
  private readonly refreshTimer: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    private readonly service: FailureService,
  ) {
    this.refreshTimer = setInterval(() => this.filesChanged(new Set(this.published)), REFRESH_MS);
    this.refreshTimer.unref();
    connection.onCodeLens(({ textDocument }) => this.codeLenses(textDocument.uri));
    // An opened file gets its diagnostics now, so its "last N ago" is current rather than up to a refresh old.
    documents.onDidOpen(({ document }) => {
      if (document.uri.startsWith('file:')) this.publish(fileURLToPath(document.uri));
    });
    const log = (message: string): void => connection.console.error(message);
    connection.onRequest(FailuresListRequest.type, guard0(FailuresListRequest.method, log, () => this.list()));
    connection.onRequest(FailuresJobsRequest.type, guard(FailuresJobsRequest.method, log, ({ signatureId }) => this.jobs(signatureId)));
    connection.onRequest(FailuresJobRequest.type, guard(FailuresJobRequest.method, log, ({ jobId }) => {
      const failure = this.service.store.get(jobId);
      return failure ? this.jobItem(failure) : null;
    }));
    connection.onDidChangeConfiguration(({ settings }) => {
      const naq = (settings as { naq?: { failures?: unknown; pathMappings?: unknown } } | null)?.naq;
      if (naq) this.configure(naq.failures, naq.pathMappings);
    });
  }

  /** From `initialize`: the workspace folders, `initializationOptions.failures`, the client's code lens refresh. */
  initialize({ workspaceFolders, rootUri, initializationOptions, capabilities }: InitializeParams): void {
    this.codeLensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
    const uris = workspaceFolders?.map((folder) => folder.uri) ?? (rootUri ? [rootUri] : []);
    this.folders = uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
    this.configure((initializationOptions as { failures?: unknown } | undefined)?.failures, undefined);
  }

  /** The service's listener: these files' failures changed. */
  filesChanged(files: ReadonlySet<string>): void {
    for (const file of files) this.dirty.add(file);
    this.scheduleFlush();
  }

  /** The service's listener: a failure's call became known; `failures/changed` tells the timelines to ask. */
  callsChanged(): void {
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), Math.min(MAX_COALESCE_MS, Math.max(COALESCE_MS, FLUSH_COST_FACTOR * this.lastFlushMs)));
  }

  /** The hover on a failing line, or undefined to let other hovers answer. */
  hover(uri: string, line: number): Hover | undefined {
    const groups = groupBySite(this.inFile(uri)).filter((group) => group.line - 1 === line);
    if (groups.length === 0) return undefined;
    const now = Date.now() / 1000;
    const parts = groups.map(({ failures }) => {
      const summary = this.service.store.summary(failures[0].signature.id, this.since());
      const jobs = failures.slice(0, HOVER_JOBS).map((failure) => `- [\`${failure.jobId.replace(/[`\]]/g, '')}\`](${timelineCommand(failure.jobId)}) ${ago(now - failure.time)} ago${failure.queue ? ` in ${escape(failure.queue)}` : ''}`);
      return [
        `**${escape(failures[0].type)}** ×${failures.length} on this line${summary ? ` (×${summary.count} for this signature, first ${ago(now - summary.firstSeen)} ago)` : ''}`,
        '',
        escape(clip(failures[0].message)),
        '',
        ...jobs,
      ].join('\n');
    });
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') } };
  }

  dispose(): void {
    clearInterval(this.refreshTimer);
    clearTimeout(this.flushTimer);
  }

  private configure(failures: unknown, pathMappings: unknown): void {
    const { settings, problems } = readFailureSettings(failures, pathMappings);
    for (const problem of problems) this.connection.console.warn(problem);
    this.settings = settings;
    this.service.configure({ folders: this.folders, pathMappings: settings.pathMappings, resultBucket: settings.resultBucket });
    this.filesChanged(new Set(this.published));
  }

  private since(): number {
    return Date.now() / 1000 - this.settings.windowHours * 3600;
  }

  private inFile(uri: string): PlacedFailure[] {
    if (!uri.startsWith('file:')) return [];
    return this.service.store.inFile(fileURLToPath(uri), this.since());
  }

  private flush(): void {
    const started = performance.now();
    this.flushTimer = undefined;
    const files = [...this.dirty];
    this.dirty.clear();
    for (const file of files) this.publish(file);
    void this.connection.sendNotification(FailuresChangedNotification.type, { signatures: this.service.store.signatureCount(this.since()) });
    if (this.codeLensRefresh) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    this.lastFlushMs = performance.now() - started;
  }

  /** Sends the file's diagnostics; a file that has none and had none gets nothing. */
  private publish(file: string): void {
    const uri = pathToFileURL(file).href;
    const diagnostics = this.diagnostics(uri);
    if (diagnostics.length === 0 && !this.published.has(file)) return;
    if (diagnostics.length > 0) this.published.add(file);
    else this.published.delete(file);
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }

  private diagnostics(uri: string): Diagnostic[] {
    const now = Date.now() / 1000;
    return groupBySite(this.inFile(uri)).map(({ failures }) => {
      const latest = failures[0];
      const queues = [...new Set(failures.map((failure) => failure.queue).filter((queue) => queue !== null))].sort();
      const where = queues.length > 0 ? ` in ${queues.join(', ')}` : '';
      return {
        range: rangeOf(latest.site as MappedFrame),
        severity: SEVERITY[this.settings.severity],
        source: 'naq',
        code: latest.type,
        codeDescription: { href: timelineCommand(latest.jobId) },
        message: `${latest.type} ×${failures.length}${where}, last ${ago(now - latest.time)} ago: ${clip(latest.message)}`,
        relatedInformation: latest.callers.map((caller) => ({
          location: { uri: pathToFileURL(caller.at.file).href, range: rangeOf(caller.at) },
          message: `called from ${caller.function ?? 'here'}`,
        })),
        data: { jobId: latest.jobId, signature: latest.signature.id },
      };
    });
  }

  private codeLenses(uri: string): CodeLens[] {
    // The document's lines once per request, not once per failure.
    const text = this.documents.get(uri)?.getText().split(/\r?\n/);
    const byFunction = new Map<number, PlacedFailure[]>();
    for (const failure of this.inFile(uri)) {
      const line = enclosingFunctionLine(text, failure);
      const failures = byFunction.get(line);
      if (failures) failures.push(failure);
      else byFunction.set(line, [failure]);
    }
    return [...byFunction.entries()].map(([line, failures]) => {
      const signatures = new Set(failures.map((failure) => failure.signature.id)).size;
      return {
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        command: {
          title: `✗ ${failures.length} failure${failures.length === 1 ? '' : 's'} · ${signatures} signature${signatures === 1 ? '' : 's'} · open latest`,
          command: 'naq.openTimeline',
          arguments: [failures[0].jobId],
        },
      };
    });
  }

  private list(): FailureSignatureItem[] {
    return this.service.store.summaries(this.since()).map((summary) => ({
      id: summary.signature.id,
      type: summary.signature.type,
      message: summary.signature.message,
      function: summary.signature.site.function ?? null,
      count: summary.count,
      firstSeen: summary.firstSeen,
      lastSeen: summary.lastSeen,
      queues: [...summary.queues],
      workers: [...summary.workers],
      jobs: [...summary.jobs],
      site: siteOf(summary.site),
    }));
  }

  private jobs(signatureId: string): FailureJobItem[] {
    const summary = this.service.store.summary(signatureId, this.since());
    return (summary?.jobs ?? []).flatMap((jobId) => {
      const failure = this.service.store.get(jobId);
      return failure ? [this.jobItem(failure)] : [];
    });
  }

  private jobItem(failure: PlacedFailure): FailureJobItem {
    const frames = failure.frames;
    const mapper = this.service.store.mapper;
    return {
      jobId: failure.jobId,
      time: failure.time,
      queue: failure.queue,
      worker: failure.worker,
      type: failure.type,
      message: failure.message,
      origin: failure.origin ?? null,
      ...(failure.call ? { call: failure.call } : {}),
      frames: frames.map((frame) => ({
        file: frame.file,
        line: frame.line,
        function: frame.function ?? null,
        source: frame.source ?? null,
        mapped: siteOf(mapper.mapFrame(frame)),
      })),
    };
  }
}

/** Markdown special characters escaped so that job content shows as text. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`);
}

const DEFINITION = /^(\s*)(?:async\s+def|def|class|(?:export\s+)?(?:async\s+)?function)\s+([\w$]+)/;

/** The 0-based line of the `def`/`function` enclosing the raise site; the site's own line when none is found. */
function enclosingFunctionLine(text: readonly string[] | undefined, failure: PlacedFailure): number {
  const site = failure.site as MappedFrame;
  if (!text) return site.line - 1;
  const siteIndent = (text[site.line - 1] ?? '').search(/\S/);
  for (let line = site.line - 1; line >= 0; line--) {
    const match = DEFINITION.exec(text[line] ?? '');
    if (match && (match[1].length < siteIndent || match[2] === failure.siteFrame?.function)) return line;
  }
  return site.line - 1;
}
