/**
 * The extension side of the webviews (timeline, tail and stats panels) against a stand-in for the
 * `vscode` module and the backend client: what they request, what they post to their pages, and
 * what they do with valid, stale and malformed messages from the pages.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, mock, test } from 'node:test';
import * as l10n from '@vscode/l10n';
import { createEvent, type JobEvent } from '../../server/src/model/event';
import { Emitter, type Handler, requireWithVscode } from '../support/vscodeStandIn';

// ---- A stand-in for the parts of `vscode` the webview code uses ----

interface FakeUri {
  path: string;
  toString(): string;
}
const uri = (path: string): FakeUri => ({ path, toString: () => `webview:${path}` });

class FakeWebview {
  options: { enableScripts?: boolean; localResourceRoots?: FakeUri[] } = {};
  html = '';
  cspSource = 'webview:';
  readonly posted: { type: string; body: Record<string, unknown> }[] = [];
  readonly received = new Emitter<unknown>();
  onDidReceiveMessage = this.received.event;
  asWebviewUri(value: FakeUri): FakeUri {
    return value;
  }
  postMessage(message: { type: string; body: Record<string, unknown> }): Promise<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return Promise.resolve(true);
  }
  /** The page sends a message. */
  send(message: unknown): void {
    this.received.fire(message);
  }
  last(type: string): { type: string; body: Record<string, unknown> } | undefined {
    return this.posted.filter((m) => m.type === type).at(-1);
  }
}

class FakePanel {
  readonly webview = new FakeWebview();
  visible = true;
  reveals = 0;
  disposed = false;
  viewColumn: number | undefined = undefined;
  private readonly disposeEmitter = new Emitter<void>();
  private readonly viewState = new Emitter<unknown>();
  onDidDispose = this.disposeEmitter.event;
  onDidChangeViewState = this.viewState.event;
  constructor(
    readonly viewType: string,
    public title: string,
    readonly showOptions: unknown,
    options: FakeWebview['options'],
  ) {
    this.webview.options = options ?? {};
  }
  /** The column of each reveal (undefined: where the panel is). */
  readonly revealedIn: (number | undefined)[] = [];
  reveal(column?: number): void {
    this.reveals++;
    this.revealedIn.push(column);
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.viewState.fire({});
  }
}

const panels: FakePanel[] = [];
const serializers = new Map<string, { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }>();
const clipboard: string[] = [];
const commands: unknown[][] = [];
const statusMessages: string[] = [];
const globalState = new Map<string, unknown>();
/** Files the code under test wrote through `workspace.fs`, by path; where the save dialog answers. */
const written = new Map<string, string>();
let saveAnswer: FakeUri | undefined;

const fakeVscode = {
  Uri: { joinPath: (base: FakeUri, ...parts: string[]) => uri([base.path, ...parts].join('/')) },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  window: {
    createWebviewPanel: (viewType: string, title: string, showOptions: unknown, options: FakeWebview['options']) => {
      const panel = new FakePanel(viewType, title, showOptions, options);
      panels.push(panel);
      return panel;
    },
    registerWebviewPanelSerializer: (viewType: string, serializer: { deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void> }) => {
      serializers.set(viewType, serializer);
      return { dispose: () => serializers.delete(viewType) };
    },
    createOutputChannel: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined }),
    showSaveDialog: async () => saveAnswer,
    showInformationMessage: async () => undefined,
    setStatusBarMessage: (text: string) => {
      statusMessages.push(text);
      return { dispose: () => undefined };
    },
  },
  workspace: {
    workspaceFolders: undefined,
    asRelativePath: (target: FakeUri) => target.path,
    fs: { writeFile: async (target: FakeUri, data: Uint8Array) => void written.set(target.path, new TextDecoder().decode(data)) },
  },
  env: { clipboard: { writeText: async (text: string) => void clipboard.push(text) } },
  // English, as the editor runs it here: no bundle, so `t` formats the message as written.
  l10n: { t: l10n.t, bundle: undefined },
  commands: { executeCommand: async (...args: unknown[]) => void commands.push(args) },
};


// The modules under test, loaded once the stand-in is in place.
const load = requireWithVscode(fakeVscode, __filename);
const timelineModule = load('../../client/src/timeline/index') as typeof import('../../client/src/timeline/index');
const tailModule = load('../../client/src/tail/index') as typeof import('../../client/src/tail/index');
const statsModule = load('../../client/src/stats/index') as typeof import('../../client/src/stats/index');
const logModule = load('../../client/src/webview/log') as typeof import('../../client/src/webview/log');

const logs: string[] = [];
logModule.setWebviewLogger({ info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), error: (m) => logs.push(`error ${m}`) });

// ---- A stand-in backend client ----

type Responder = (params: unknown) => unknown;

class FakeClient {
  readonly requests: { method: string; params: unknown }[] = [];
  readonly responders = new Map<string, Responder>();
  readonly notifications = new Map<string, Emitter<unknown>>();
  private readonly stateEmitter = new Emitter<unknown>();
  onDidChangeState = this.stateEmitter.event;
  running = true;
  state = { phase: 'connected', detail: '' };

  constructor() {
    // A timeline asks whether its job failed with a recorded call; by default the backend knows of none.
    this.responders.set('failures/job', () => null);
  }

  lastRequest(method: string): { method: string; params: unknown } | undefined {
    return this.requests.filter((r) => r.method === method).at(-1);
  }

  request(type: { method: string }, params?: unknown): Promise<unknown> {
    this.requests.push({ method: type.method, params });
    const responder = this.responders.get(type.method);
    if (!responder) return Promise.reject(new Error(`no responder for ${type.method}`));
    try {
      return Promise.resolve(responder(params));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  onNotification(type: { method: string }, handler: Handler<unknown>) {
    let emitter = this.notifications.get(type.method);
    if (!emitter) this.notifications.set(type.method, (emitter = new Emitter()));
    return emitter.event(handler);
  }
  notify(method: string, params: unknown): void {
    this.notifications.get(method)?.fire(params);
  }
  listeners(method: string): number {
    return this.notifications.get(method)?.count ?? 0;
  }
  setState(phase: string, running: boolean, detail = ''): void {
    this.running = running;
    this.state = { phase, detail };
    this.stateEmitter.fire(this.state);
  }
  count(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }
}

const context = {
  extensionUri: uri('/ext'),
  globalState: { get: (key: string) => globalState.get(key), update: async (key: string, value: unknown) => void globalState.set(key, value) },
} as unknown as import('vscode').ExtensionContext;

/**
 * Runs every promise chain started so far to its end: the stand-ins answer synchronously (no timers,
 * no I/O), so once the check phase comes round nothing they started is still under way.
 */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function events(jobId: string, count: number, firstSeq = 1): JobEvent[] {
  return Array.from({ length: count }, (_, i) => createEvent({ job_id: jobId, event_type: i === 0 ? 'enqueued' : 'started', timestamp: 100 + i, nats_sequence: firstSeq + i }));
}

function timelineOf(jobId: string, evs: JobEvent[]) {
  return { jobId, job: null, events: evs, problems: [], source: 'index' as const };
}

beforeEach(() => {
  panels.length = 0;
  clipboard.length = 0;
  commands.length = 0;
  logs.length = 0;
});

describe('timeline panels', () => {
  test('one panel per job, with the strict shell, restricted roots and a fresh nonce per load', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', (p) => timelineOf((p as { jobId: string }).jobId, events('a', 3)));
    timelineModule.showTimeline(context, client as never, 'a');
    timelineModule.showTimeline(context, client as never, 'a');
    timelineModule.showTimeline(context, client as never, 'b');
    assert.equal(panels.length, 2);
    const [a, b] = panels as [FakePanel, FakePanel];
    assert.equal(a.viewType, 'naq.timeline');
    assert.equal(a.reveals, 1);
    assert.equal(a.webview.options.enableScripts, true);
    assert.deepEqual(a.webview.options.localResourceRoots?.map((r) => r.path), ['/ext/dist/media', '/ext/media']);
    const nonceOf = (html: string) => /script-src 'nonce-([^']+)'/.exec(html.replace(/&#39;/g, "'"))?.[1];
    assert.ok(nonceOf(a.webview.html));
    assert.notEqual(nonceOf(a.webview.html), nonceOf(b.webview.html));
    assert.match(a.webview.html, /src="webview:\/ext\/dist\/media\/timeline\.js"/);
    assert.match(a.webview.html, /href="webview:\/ext\/dist\/media\/codicon\.css"/);
    a.dispose();
    b.dispose();
  });

  test('ready gets init and the timeline; copy writes the event; bad messages are logged and ignored', async () => {
    const client = new FakeClient();
    const evs = events('job-1', 3);
    client.responders.set('jobs/timeline', () => timelineOf('job-1', evs));
    globalState.set('naq.timeline.timeMode', 'utc');
    timelineModule.showTimeline(context, client as never, 'job-1');
    const panel = panels[0]!;
    await settle();
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.deepEqual(panel.webview.last('init')?.body, { jobId: 'job-1', timeMode: 'utc', preview: true });
    assert.equal((panel.webview.last('timeline')?.body.timeline as { events: unknown[] }).events.length, 3);

    panel.webview.send({ type: 'copyEvent', body: { index: 1, seq: 2 } });
    await settle();
    assert.deepEqual(JSON.parse(clipboard.at(-1)!), evs[1]);
    assert.deepEqual(panel.webview.last('copied')?.body, { index: 1 });

    // Stale (the sequence moved) or malformed: nothing is copied, the reason is logged.
    panel.webview.send({ type: 'copyEvent', body: { index: 1, seq: 99 } });
    panel.webview.send({ type: 'copyEvent', body: { index: 7, seq: null } });
    panel.webview.send({ type: 'copyEvent', body: { index: '1', seq: 2 } });
    panel.webview.send({ type: 'runCommand', body: { command: 'workbench.action.terminal.new' } });
    panel.webview.send('ready');
    await settle();
    assert.equal(clipboard.length, 1);
    assert.equal(logs.filter((l) => l.startsWith('warn')).length, 5, logs.join('\n'));
    assert.ok(logs.some((l) => /unknown message type "runCommand"/.test(l)));

    panel.webview.send({ type: 'timeMode', body: { mode: 'relative' } });
    await settle();
    assert.equal(globalState.get('naq.timeline.timeMode'), 'relative');
    panel.webview.send({ type: 'scriptError', body: { message: 'TypeError: x is undefined' } });
    assert.ok(logs.some((l) => l.startsWith('error') && l.includes('TypeError')));
    panel.dispose();
  });

  test('live: index/changed naming the job re-reads it; only new events are sent; hidden panels wait', async () => {
    const client = new FakeClient();
    let evs = events('job-2', 3);
    client.responders.set('jobs/timeline', () => timelineOf('job-2', evs));
    timelineModule.showTimeline(context, client as never, 'job-2');
    const panel = panels[0]!;
    await settle();
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal(client.count('jobs/timeline'), 1);

    client.notify('index/changed', { reset: false, queues: [], workers: [], jobs: ['other'], failed: [] });
    await settle();
    assert.equal(client.count('jobs/timeline'), 1);

    evs = events('job-2', 5);
    client.notify('index/changed', { reset: false, queues: [], workers: [], jobs: ['job-2'], failed: [] });
    await settle();
    assert.equal(client.count('jobs/timeline'), 2);
    const append = panel.webview.last('append')!;
    assert.equal(append.body.from, 3);
    assert.equal((append.body.events as unknown[]).length, 2);

    // Hidden: nothing read until shown again.
    panel.setVisible(false);
    evs = events('job-2', 6);
    // Fake timers: past the live interval at once, so a read the throttle put off would have run.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      client.notify('index/changed', { reset: true, queues: [], workers: [], jobs: [], failed: [] });
      mock.timers.tick(1_100);
      await settle();
      assert.equal(client.count('jobs/timeline'), 2);
    } finally {
      mock.timers.reset();
    }
    panel.setVisible(true);
    await settle();
    assert.equal(client.count('jobs/timeline'), 3);

    // A reloaded page gets everything again.
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal((panel.webview.last('timeline')?.body.timeline as { events: unknown[] }).events.length, 6);

    panel.dispose();
    assert.equal(client.listeners('index/changed'), 0);
  });

  test('a failed job\'s call recorded after its events reaches the open timeline on failures/changed, once', async () => {
    const client = new FakeClient();
    const evs = [...events('job-call', 2), createEvent({ job_id: 'job-call', event_type: 'failed', timestamp: 110, nats_sequence: 3 })];
    client.responders.set('jobs/timeline', () => timelineOf('job-call', evs));
    timelineModule.showTimeline(context, client as never, 'job-call');
    const panel = panels[0]!;
    await settle();
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal(panel.webview.last('call'), undefined);

    const call = { function: 'handle', args: '(1,)', kwargs: '{}' };
    client.responders.set('failures/job', () => ({ jobId: 'job-call', call }));
    client.notify('failures/changed', { signatures: 1 });
    client.notify('failures/changed', { signatures: 1 });
    await settle();
    assert.deepEqual(panel.webview.posted.filter((m) => m.type === 'call').map((m) => m.body), [{ jobId: 'job-call', call }]);
    const asked = client.count('failures/job');
    client.notify('failures/changed', { signatures: 2 });
    await settle();
    assert.equal(client.count('failures/job'), asked, 'a known call is not asked for again');
    panel.dispose();
    assert.equal(client.listeners('failures/changed'), 0);
  });

  test('a timeline without a failure does not ask for a call on failures/changed', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', () => timelineOf('job-ok', events('job-ok', 2)));
    timelineModule.showTimeline(context, client as never, 'job-ok');
    const panel = panels[0]!;
    await settle();
    const asked = client.count('failures/job');
    client.notify('failures/changed', { signatures: 1 });
    await settle();
    assert.equal(client.count('failures/job'), asked);
    panel.dispose();
  });

  test('a failed read is shown, and retried once the backend is connected', async () => {
    const client = new FakeClient();
    timelineModule.showTimeline(context, client as never, 'job-3');
    const panel = panels[0]!;
    await settle();
    assert.match(String(panel.webview.last('error')?.body.message), /no responder/);
    client.responders.set('jobs/timeline', () => timelineOf('job-3', events('job-3', 1)));
    client.setState('connected', true);
    await settle();
    assert.ok(panel.webview.last('timeline'));
    panel.dispose();
  });

  test('preview: the next open replaces the preview; a double open, a use or Keep Open keeps it', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', (p) => timelineOf((p as { jobId: string }).jobId, events((p as { jobId: string }).jobId, 2)));
    timelineModule.showTimeline(context, client as never, 'p1', undefined, 0);
    timelineModule.showTimeline(context, client as never, 'p2', undefined, 5000);
    await settle();
    assert.equal(panels.length, 1);
    const first = panels[0]!;
    assert.equal(first.title, 'Job p2 (preview)');
    // Opened again at once (a double-click): kept; the next job gets a panel of its own.
    timelineModule.showTimeline(context, client as never, 'p2', undefined, 5200);
    assert.equal(first.title, 'Job p2');
    timelineModule.showTimeline(context, client as never, 'p3', undefined, 9000);
    assert.equal(panels.length, 2);
    const second = panels[1]!;
    second.webview.send({ type: 'keep', body: {} });
    await settle();
    assert.equal(second.title, 'Job p3');
    assert.deepEqual(second.webview.last('preview')?.body, { preview: false });
    timelineModule.showTimeline(context, client as never, 'p4', undefined, 20000);
    assert.equal(panels.length, 3);
    for (const p of panels) p.dispose();
  });

  test('a tail asks for another group: the job\'s panel is shown there even when it exists, never over the tail', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', (p) => timelineOf((p as { jobId: string }).jobId, events((p as { jobId: string }).jobId, 2)));
    // Opened from the Jobs view while the tail's group was active, and kept: it sits in the tail's group.
    timelineModule.showTimeline(context, client as never, 'job-t', undefined, 0);
    const panel = panels[0]!;
    panel.webview.send({ type: 'keep', body: {} });
    await settle();
    timelineModule.showTimeline(context, client as never, 'job-t', 2, 10_000);
    assert.equal(panels.length, 1);
    assert.deepEqual(panel.revealedIn, [2]);
    // From the Jobs view, the panel shows where it is.
    timelineModule.showTimeline(context, client as never, 'job-t', undefined, 20_000);
    assert.deepEqual(panel.revealedIn, [2, undefined]);
    panel.dispose();
  });

  test('paged: the newest page first, older pages when asked, live reads only after the last sequence', async () => {
    const client = new FakeClient();
    let evs = events('job-p', 1200);
    // A backend that pages as the protocol says (newest page first, olderCount before it).
    client.responders.set('jobs/timeline', (p) => {
      const { afterSeq, beforeSeq, limit = 500 } = p as { afterSeq?: number; beforeSeq?: number; limit?: number };
      const inRange = evs.filter((e) => (afterSeq === undefined || e.nats_sequence! > afterSeq) && (beforeSeq === undefined || e.nats_sequence! < beforeSeq));
      const page = afterSeq !== undefined ? inRange.slice(0, limit) : inRange.slice(-limit);
      return { ...timelineOf('job-p', page), olderCount: afterSeq !== undefined ? 0 : inRange.length - page.length };
    });
    timelineModule.showTimeline(context, client as never, 'job-p');
    const panel = panels[0]!;
    await settle();
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.deepEqual(client.requests[0]!.params, { jobId: 'job-p', limit: 500 });
    const first = panel.webview.last('timeline')!.body as { timeline: { events: JobEvent[] }; olderCount: number };
    assert.equal(first.timeline.events.length, 500);
    assert.equal(first.olderCount, 700);

    panel.webview.send({ type: 'loadOlder', body: {} });
    await settle();
    assert.deepEqual(client.lastRequest('jobs/timeline')?.params, { jobId: 'job-p', beforeSeq: 701, limit: 500 });
    const older = panel.webview.last('older')!.body as { before: number; events: JobEvent[]; olderCount: number };
    assert.deepEqual([older.before, older.events.length, older.olderCount, older.events[0]!.nats_sequence], [701, 500, 200, 201]);

    evs = events('job-p', 1203);
    client.notify('index/changed', { reset: false, queues: [], workers: [], jobs: ['job-p'], failed: [] });
    await settle();
    assert.deepEqual(client.lastRequest('jobs/timeline')?.params, { jobId: 'job-p', afterSeq: 1200, limit: 5000 });
    const append = panel.webview.last('append')!.body as { from: number; events: JobEvent[] };
    assert.deepEqual([append.from, append.events.map((e) => e.nats_sequence)], [1000, [1201, 1202, 1203]]);

    // Copy still finds events by their place in what the page holds.
    panel.webview.send({ type: 'copyEvent', body: { index: 0, seq: 201 } });
    await settle();
    assert.equal(JSON.parse(clipboard.at(-1)!).nats_sequence, 201);
    panel.dispose();
  });

  test('while disconnected a read fails at once with the reason, and no request waits for its timeout', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', () => timelineOf('job-d', events('job-d', 2)));
    client.state = { phase: 'disconnected', detail: 'NATS at 127.0.0.1:1 stopped answering' };
    timelineModule.showTimeline(context, client as never, 'job-d');
    const panel = panels[0]!;
    await settle();
    assert.equal(client.count('jobs/timeline'), 0);
    assert.equal(panel.webview.last('error')?.body.message, 'Not connected to NATS: NATS at 127.0.0.1:1 stopped answering');
    client.setState('connected', true);
    await settle();
    assert.equal(client.count('jobs/timeline'), 1);
    assert.ok(panel.webview.last('timeline'));
    panel.dispose();
  });

  test('the serializer restores panels from valid state and closes the rest', async () => {
    const client = new FakeClient();
    client.responders.set('jobs/timeline', () => timelineOf('job-4', events('job-4', 2)));
    const registration = timelineModule.registerTimelineSerializer(context, client as never);
    const serializer = serializers.get('naq.timeline')!;
    const restored = new FakePanel('naq.timeline', 'Job job-4', {}, {});
    await serializer.deserializeWebviewPanel(restored, { jobId: 'job-4', timeMode: 'relative', expanded: [], active: 3, anchorKey: null });
    await settle();
    assert.equal(restored.title, 'Job job-4');
    assert.match(restored.webview.html, /Content-Security-Policy/);
    assert.equal(restored.webview.options.enableScripts, true);
    restored.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.deepEqual(restored.webview.last('init')?.body, { jobId: 'job-4', timeMode: 'relative', preview: false });
    // Showing that job now reveals the restored panel.
    timelineModule.showTimeline(context, client as never, 'job-4');
    assert.equal(panels.length, 0);
    assert.equal(restored.reveals, 1);

    const broken = new FakePanel('naq.timeline', 'Job ?', {}, {});
    await serializer.deserializeWebviewPanel(broken, undefined);
    assert.equal(broken.disposed, true);
    restored.dispose();
    registration.dispose();
  });
});

describe('tail panel', () => {
  test('starts, keeps early batches, forwards its own lines, opens timelines, stops on close', async () => {
    const client = new FakeClient();
    let resolveStart: (value: unknown) => void = () => undefined;
    client.responders.set('tail/start', () => new Promise((resolve) => (resolveStart = resolve)));
    client.responders.set('tail/stop', () => undefined);
    const started = tailModule.startTailView(context, client as never, { pattern: 'naq.jobs.events.>' });
    const panel = panels[0]!;
    assert.equal(panel.viewType, 'naq.tail');
    await settle();
    assert.equal(client.count('tail/start'), 1);
    // A batch can arrive before tail/start answers.
    client.notify('tail/events', { tailId: 't1', events: events('job-9', 2), problems: [], skipped: 0 });
    resolveStart({ tailId: 't1', pattern: 'naq.jobs.events.>' });
    await started;
    client.notify('tail/events', { tailId: 'someone-else', events: events('x', 5), problems: [], skipped: 0 });
    const lines = () => panel.webview.posted.filter((m) => m.type === 'lines');
    assert.deepEqual(lines().map((m) => (m.body.lines as unknown[]).length), [2]);
    // The next batch follows the early one (sequence 3): a skip marker and its event.
    client.notify('tail/events', { tailId: 't1', events: events('job-9', 1, 3), problems: [], skipped: 4 });
    // An event the tail already showed (sequence 1 again) is not shown twice.
    client.notify('tail/events', { tailId: 't1', events: events('job-9', 1), problems: [], skipped: 0 });
    // Nothing more is sent until the page has taken the message in flight (or an older one's number comes).
    panel.webview.send({ type: 'received', body: { batch: (lines()[0]!.body.batch as number) + 1 } });
    await settle();
    assert.equal(lines().length, 1);
    panel.webview.send({ type: 'received', body: { batch: lines()[0]!.body.batch } });
    await settle();
    assert.deepEqual(lines().map((m) => (m.body.lines as unknown[]).length), [2, 2]);
    assert.equal(lines()[1]!.body.batch, (lines()[0]!.body.batch as number) + 1);
    assert.equal(lines().at(-1)!.body.skipped, 4);
    assert.deepEqual(
      (lines().at(-1)!.body.lines as { kind: string; seq: number | null }[]).map((l) => [l.kind, l.seq]),
      [['skipped', null], ['event', 3]],
    );
    const live = panel.webview.last('status')?.body.status as { state: string; reason: string | null };
    assert.deepEqual([live.state, live.reason], ['live', null]);

    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal((panel.webview.last('reset')?.body.lines as unknown[]).length, 4);
    assert.equal((panel.webview.last('reset')?.body.status as { skipped: number }).skipped, 4);

    // The timeline opens in another group than the tail's, never over it.
    panel.viewColumn = 1;
    panel.webview.send({ type: 'openTimeline', body: { jobId: 'job-9' } });
    panel.webview.send({ type: 'openTimeline', body: { jobId: '' } });
    panel.webview.send({ type: 'openTimeline', body: { jobId: 'job-9', extra: true } });
    await settle();
    assert.deepEqual(commands, [['naq.openTimeline', 'job-9', 2]]);
    assert.equal(logs.filter((l) => l.startsWith('warn')).length, 2);

    panel.webview.send({ type: 'clear', body: {} });
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal((panel.webview.last('reset')?.body.lines as unknown[]).length, 0);

    panel.webview.send({ type: 'stop', body: {} });
    await settle();
    assert.deepEqual(client.requests.filter((r) => r.method === 'tail/stop').map((r) => r.params), [{ tailId: 't1' }]);
    const stopped = panel.webview.last('status')?.body.status as { state: string; reason: string | null };
    assert.deepEqual([stopped.state, stopped.reason], ['stopped', null]);

    let n = 1;
    client.responders.set('tail/start', () => ({ tailId: `t${++n}`, pattern: 'naq.jobs.events.>', lastSeq: 10 }));
    panel.webview.send({ type: 'restart', body: {} });
    await settle();
    assert.deepEqual(client.requests.filter((r) => r.method === 'tail/start').at(-1)?.params, { pattern: 'naq.jobs.events.>' });
    assert.equal((panel.webview.last('status')?.body.status as { state: string }).state, 'live');

    // The backend goes away: the tail is shown as reconnecting, with the reason, and asks nothing.
    const startsBefore = client.count('tail/start');
    client.setState('disconnected', false, 'The NAQ backend stopped.');
    const status = panel.webview.last('status')?.body.status as { state: string; reason: string | null };
    assert.equal(status.state, 'reconnecting');
    assert.match(status.reason ?? '', /backend stopped/);
    assert.match(panel.title, /reconnecting/);
    assert.equal(client.count('tail/start'), startsBefore);

    // It comes back: the tail subscribes again by itself, right after where t2 started live.
    client.setState('connected', true);
    await settle();
    assert.equal(client.count('tail/start'), startsBefore + 1);
    assert.deepEqual(client.requests.filter((r) => r.method === 'tail/start').at(-1)?.params, { pattern: 'naq.jobs.events.>', backfill: { afterSeq: 10 } });
    const back = panel.webview.last('status')?.body.status as { state: string; reason: string | null };
    assert.deepEqual([back.state, back.reason], ['live', null]);
    panel.dispose();
    await settle();
    assert.deepEqual(client.requests.filter((r) => r.method === 'tail/stop').at(-1)?.params, { tailId: 't3' });
    assert.equal(client.listeners('tail/events'), 0);
  });

  test('a new pattern opens its own panel; the same pattern restarts in its panel; stopTailView stops the last one', async () => {
    const client = new FakeClient();
    let n = 0;
    client.responders.set('tail/start', () => ({ tailId: `t${++n}`, pattern: 'p' }));
    client.responders.set('tail/stop', () => undefined);
    await tailModule.startTailView(context, client as never, {});
    await tailModule.startTailView(context, client as never, { types: ['failed'] });
    // Different tails sit side by side; neither stops the other.
    assert.equal(panels.length, 2);
    assert.deepEqual(client.requests.map((r) => r.method), ['tail/start', 'tail/start']);
    assert.deepEqual(client.requests.map((r) => r.params), [{}, { types: ['failed'] }]);

    // The same tail again: its panel is revealed and restarts; no new panel.
    await tailModule.startTailView(context, client as never, { types: ['failed'] });
    assert.equal(panels.length, 2);
    assert.equal(panels[1]!.reveals, 1);
    assert.equal(panels[0]!.reveals, 0);
    assert.deepEqual(client.requests.slice(2), [
      { method: 'tail/stop', params: { tailId: 't2' } },
      { method: 'tail/start', params: { types: ['failed'] } },
    ]);

    // Stop Tail stops the panel looked at last, and only it.
    await tailModule.stopTailView();
    assert.deepEqual(client.requests.at(-1), { method: 'tail/stop', params: { tailId: 't3' } });
    assert.deepEqual(client.requests.filter((r) => r.method === 'tail/stop').map((r) => r.params), [{ tailId: 't2' }, { tailId: 't3' }]);
    assert.equal((panels[0]!.webview.last('status')?.body.status as { state: string }).state, 'live');
    assert.equal((panels[1]!.webview.last('status')?.body.status as { state: string }).state, 'stopped');
    panels[1]!.dispose();
    panels[0]!.dispose();
    await settle();
    assert.deepEqual(client.requests.at(-1), { method: 'tail/stop', params: { tailId: 't1' } });
  });

  test('a start that fails is reported in the panel', async () => {
    const client = new FakeClient();
    client.responders.set('tail/start', () => {
      throw new Error('invalid subject pattern');
    });
    await tailModule.startTailView(context, client as never, { pattern: 'bad..' });
    const status = panels[0]!.webview.last('status')?.body.status as { state: string; reason: string | null };
    assert.equal(status.state, 'stopped');
    assert.match(status.reason ?? '', /invalid subject pattern/);
    assert.match(panels[0]!.title, /stopped/);
    panels[0]!.dispose();
  });
});

/** The Jobs view's time filter as the stats panel sees it. */
function fakeJobsFilter() {
  const changes = new Emitter<{ from: number; to: number } | undefined>();
  return { timeFilter: undefined as { from: number; to: number } | undefined, onDidChangeTimeFilter: changes.event, changes };
}

function metricsAnswer(params: unknown) {
  const { from, to, step, groupBy } = params as { from: number; to: number; step: number; groupBy: string };
  const times = Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);
  return { from, to, step, times, series: groupBy === 'none' ? [{ group: null, totals: {} }] : [] };
}

describe('stats panel', () => {
  test('asks for the chosen range at its step, follows metrics/changed while live, and brushes through the Jobs view command', async () => {
    const client = new FakeClient();
    client.responders.set('stats/get', () => ({ jobsStarted: 0, jobsRunning: 0, jobsCompleted: 0, jobsFailed: 0, totalDurationMs: 0, averageDurationMs: null, workerUsage: {}, queueUsage: {}, eventsSeen: 0 }));
    client.responders.set('metrics/query', metricsAnswer);
    const jobs = fakeJobsFilter();
    statsModule.showStats(context, client as never, jobs);
    const panel = panels[0]!;
    panel.webview.send({ type: 'ready', body: {} });
    panel.webview.send({ type: 'range', body: { preset: '24h', from: null, to: null } });
    await settle();
    const queries = () => client.requests.filter((r) => r.method === 'metrics/query').map((r) => r.params as { from: number; to: number; step: number; groupBy: string });
    const [overall, groups] = queries();
    assert.equal(overall!.groupBy, 'none');
    assert.equal(overall!.step, 300, '24 h at 5-minute steps');
    assert.equal(groups!.groupBy, 'queue');
    assert.ok(groups!.step >= groups!.to - groups!.from, 'the table asks for one point');
    const shown = panel.webview.last('metrics')!.body as { range: { preset: string; live: boolean } };
    assert.equal(shown.range.preset, '24h');
    assert.equal(shown.range.live, true);

    client.notify('metrics/changed', { from: 1, to: 2 });
    await settle();
    assert.equal(queries().length, 4, 'a live range re-reads on any change');

    const from = 1_700_000_000;
    panel.webview.send({ type: 'range', body: { preset: 'custom', from, to: from + 3600 } });
    await settle();
    assert.equal(queries().at(-2)!.step, 3600, 'a range older than a day is hourly');
    const before = queries().length;
    client.notify('metrics/changed', { from: from + 7200, to: from + 7300 });
    await settle();
    assert.equal(queries().length, before, 'a change outside a fixed range is not re-read');

    panel.webview.send({ type: 'range', body: { preset: 'custom', from: from + 10, to: from } });
    await settle();
    assert.match(String(panel.webview.last('metricsError')!.body.message), /"to" must be after "from"/);

    panel.webview.send({ type: 'filterJobs', body: { from, to: from + 600 } });
    await settle();
    assert.deepEqual(commands.at(-1), ['naq.filterJobsByTime', { from, to: from + 600 }]);
    jobs.changes.fire({ from, to: from + 600 });
    assert.deepEqual(panel.webview.last('jobsFilter')!.body, { from, to: from + 600 });

    // Export: the series shown, as CSV, where the save dialog says; nothing written when it is cancelled.
    panel.webview.send({ type: 'range', body: { preset: '1h', from: null, to: null } });
    await settle();
    saveAnswer = undefined;
    panel.webview.send({ type: 'exportCsv', body: {} });
    await settle();
    assert.equal(written.size, 0);
    saveAnswer = uri('/tmp/out.csv');
    panel.webview.send({ type: 'exportCsv', body: {} });
    await settle();
    const csv = written.get('/tmp/out.csv') ?? '';
    assert.match(csv, /^time,epoch_seconds\r\n/, 'the header of a series with no measures');
    assert.equal(csv.split('\r\n').length, 62, 'a line per minute of the hour, the header and the last line end');
    assert.match(statusMessages.at(-1) ?? '', /saved 60 points to \/tmp\/out\.csv/);
    panel.dispose();
    assert.equal(client.listeners('metrics/changed'), 0);
  });

  test('reads stats on open, on refresh and (throttled) on changes while visible', async () => {
    const client = new FakeClient();
    let started = 0;
    client.responders.set('stats/get', () => ({ jobsStarted: ++started, jobsRunning: 0, jobsCompleted: 0, jobsFailed: 0, totalDurationMs: 0, averageDurationMs: null, workerUsage: {}, queueUsage: {}, eventsSeen: 0 }));
    statsModule.showStats(context, client as never, fakeJobsFilter());
    statsModule.showStats(context, client as never, fakeJobsFilter());
    assert.equal(panels.length, 1);
    const panel = panels[0]!;
    assert.equal(panel.viewType, 'naq.stats');
    await settle();
    panel.webview.send({ type: 'ready', body: {} });
    await settle();
    assert.equal((panel.webview.last('stats')?.body.stats as { jobsStarted: number }).jobsStarted, 1);
    panel.webview.send({ type: 'refresh', body: {} });
    await settle();
    assert.equal(client.count('stats/get'), 2);
    for (let i = 0; i < 5; i++) client.notify('index/changed', { reset: false, queues: [], workers: [], jobs: ['a'], failed: [] });
    await settle();
    assert.equal(client.count('stats/get'), 3); // the first change reads at once, the rest wait for the interval
    panel.dispose();
    assert.equal(client.listeners('index/changed'), 0);
  });

  test('the serializer restores the panel after a reload, reading again what its page asks for; a second one is closed', async () => {
    const client = new FakeClient();
    client.responders.set('stats/get', () => ({ jobsStarted: 7, jobsRunning: 0, jobsCompleted: 0, jobsFailed: 0, totalDurationMs: 0, averageDurationMs: null, workerUsage: {}, queueUsage: {}, eventsSeen: 0 }));
    client.responders.set('metrics/query', metricsAnswer);
    const registration = statsModule.registerStatsSerializer(context, client as never, fakeJobsFilter());
    const serializer = serializers.get('naq.stats')!;
    const restored = new FakePanel('naq.stats', 'NAQ Job Analytics', {}, {});
    await serializer.deserializeWebviewPanel(restored, { showAll: { workers: false, queues: false }, preset: '24h', custom: null, groupBy: 'worker' });
    assert.match(restored.webview.html, /Content-Security-Policy/);
    assert.equal(restored.webview.options.enableScripts, true);
    // The restored page asks for its saved range and grouping, as a new one asks for its defaults.
    restored.webview.send({ type: 'ready', body: {} });
    restored.webview.send({ type: 'groupBy', body: { groupBy: 'worker' } });
    restored.webview.send({ type: 'range', body: { preset: '24h', from: null, to: null } });
    await settle();
    assert.equal((restored.webview.last('stats')?.body.stats as { jobsStarted: number }).jobsStarted, 7);
    assert.equal((restored.webview.last('metrics')?.body as { groupBy: string }).groupBy, 'worker');
    // One panel at a time: Show Statistics reveals the restored one, a second restored one is closed.
    statsModule.showStats(context, client as never, fakeJobsFilter());
    assert.equal(panels.length, 0);
    assert.equal(restored.reveals, 1);
    const second = new FakePanel('naq.stats', 'NAQ Job Analytics', {}, {});
    await serializer.deserializeWebviewPanel(second, undefined);
    assert.equal(second.disposed, true);
    restored.dispose();
    registration.dispose();
  });
});
