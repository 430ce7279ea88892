/**
 * The Failures view through a connection's phases, against a stand-in for the `vscode` module and
 * the backend client: listed while connected; during an outage the last known failures stay, dimmed,
 * the view marked stale like the other trees; nothing listed and no message while disconnected, so
 * that the welcome (with Connect) shows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as l10n from '@vscode/l10n';
import type { ConnectionState, FailureSignatureItem } from '../../server/src/protocol/protocol';
import { Emitter, requireWithVscode } from '../support/vscodeStandIn';

class ThemeColor {
  constructor(readonly id: string) {}
}

class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

class TreeItem {
  iconPath: unknown;
  description: string | undefined;
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

class MarkdownString {
  value = '';
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

interface FakeView {
  message: string | undefined;
  description: string | undefined;
}

const views: FakeView[] = [];
const fakeVscode = {
  EventEmitter: Emitter,
  ThemeColor,
  ThemeIcon,
  TreeItem,
  MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  window: {
    createTreeView: () => {
      const view: FakeView & { dispose(): void } = { message: undefined, description: undefined, dispose: () => undefined };
      views.push(view);
      return view;
    },
  },
  l10n: { t: l10n.t, bundle: undefined },
};


const load = requireWithVscode(fakeVscode, __filename);
const { FailuresTree } = load('../../client/src/failures/failuresTree') as typeof import('../../client/src/failures/failuresTree');

class FakeBackend {
  readonly requests: string[] = [];
  private readonly states = new Emitter<ConnectionState>();
  onDidChangeState = this.states.event;
  running = true;
  state: ConnectionState = { phase: 'connected', detail: '' };
  /** What `failures/list` answers; an Error is thrown. */
  answer: FailureSignatureItem[] | Error = [];

  request(type: { method: string }): Promise<unknown> {
    this.requests.push(type.method);
    return this.answer instanceof Error ? Promise.reject(this.answer) : Promise.resolve(this.answer);
  }
  onNotification() {
    return { dispose: () => undefined };
  }
  setState(state: ConnectionState): void {
    this.state = state;
    this.states.fire(state);
  }
}

const log = { warn: () => undefined } as unknown as import('vscode').LogOutputChannel;
const since = new Date(2026, 11, 5, 9, 7, 30).getTime();

function signature(id: string): FailureSignatureItem {
  return { id, type: 'ValueError', message: 'boom', function: null, count: 2, firstSeen: 1, lastSeen: 2, queues: ['billing'], workers: ['w1'], jobs: ['job-1'], site: null };
}

function iconColour(item: import('vscode').TreeItem): string | undefined {
  return (item.iconPath as ThemeIcon).color?.id;
}

test('during an outage the Failures view keeps its last failures, dimmed and marked stale; after it, they are live again', async () => {
  const backend = new FakeBackend();
  backend.answer = [signature('s1')];
  const tree = new FailuresTree(backend as never, log);
  const view = views.at(-1)!;
  const live = await tree.getChildren();
  assert.equal(live.length, 1);
  assert.equal(view.description, undefined);
  assert.equal(iconColour(tree.getTreeItem(live[0]!)), 'list.errorForeground');

  backend.setState({ phase: 'disconnected', detail: 'NATS stopped answering', outage: { since, cause: 'not-answering' } });
  assert.equal(view.description, 'stale since 09:07 — NATS not answering');
  // The backend cannot answer either: the rows of the last listing stay.
  backend.answer = new Error('not connected to NATS');
  const stale = await tree.getChildren();
  assert.deepEqual(stale, live);
  assert.match(view.message ?? '', /^Stale since 09:07 — NATS not answering\. Showing the last known data/);
  assert.equal(iconColour(tree.getTreeItem(stale[0]!)), 'disabledForeground');

  backend.answer = [signature('s1'), signature('s2')];
  backend.setState({ phase: 'connected', detail: '' });
  assert.equal(view.description, undefined);
  const back = await tree.getChildren();
  assert.equal(back.length, 2);
  assert.equal(view.message, undefined);
  assert.equal(iconColour(tree.getTreeItem(back[0]!)), 'list.errorForeground');
  tree.dispose();
});

test('disconnected without an outage the Failures view lists nothing and says nothing, so that its welcome shows', async () => {
  const backend = new FakeBackend();
  backend.state = { phase: 'disconnected', detail: 'Disconnected' };
  backend.answer = [signature('s1')];
  const tree = new FailuresTree(backend as never, log);
  const view = views.at(-1)!;
  assert.deepEqual(await tree.getChildren(), []);
  assert.equal(view.message, undefined);
  assert.equal(view.description, undefined);
  assert.deepEqual(backend.requests, [], 'nothing is asked of a backend that is not connected');

  backend.setState({ phase: 'connected', detail: '' });
  assert.equal((await tree.getChildren()).length, 1);
  backend.answer = [];
  await tree.getChildren();
  assert.equal(view.message, 'No failures within the window.');
  tree.dispose();
});
