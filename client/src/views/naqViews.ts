/**
 * The NAQ activity-bar container's three trees, kept in step with the backend: `index/changed`
 * refreshes only what it names (reset: everything), with the items it carries and no request of
 * its own; a connection change refreshes everything; an outage or an index not following the stream keeps the rows, marked stale.
 */
import * as vscode from 'vscode';
import { IndexChangedNotification, type ConnectionState, type IndexChange } from '../../../server/src/protocol/protocol';
import { indexPercent, leftOutNote } from '../status/statusBar';
import type { BackendClient } from '../backend/backendClient';
import { changedJobs, mergeChanges } from './changedJobs';
import { canList, JobTree } from './jobTree';
import { JobsTree } from './jobsTree';
import type { JobNode, MoreNode, NaqNode } from './nodes';
import { QueuesTree } from './queuesTree';
import { stalenessChanged, stalenessOf, staleMessage, type Staleness } from './staleness';
import { WorkersTree } from './workersTree';

export const VIEW_IDS = { queues: 'naq.queues', workers: 'naq.workers', jobs: 'naq.jobs' } as const;

/**
 * The least time between two updates of the trees from `index/changed`. The backend sends up to
 * five a second while events stream in; each redrew the changed rows and counts of three views (with
 * their progress bars and badges) in the editor's window, which a live tail shares.
 */
export const TREE_UPDATE_MS = 1000;

export class NaqViews implements vscode.Disposable {
  readonly queues: QueuesTree;
  readonly workers: WorkersTree;
  readonly jobs: JobsTree;
  readonly jobsView: vscode.TreeView<NaqNode>;
  private readonly disposables: vscode.Disposable[] = [];
  /** Changes are applied one after the other, in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private lastListable: boolean;
  private lastBuilding: boolean;
  private lastStale: Staleness | undefined;
  /** Changes not applied yet, merged, and when they are due (at most one update per {@link TREE_UPDATE_MS}). */
  private unapplied: IndexChange | undefined;
  private updateTimer: NodeJS.Timeout | undefined;
  private lastUpdate = 0;

  constructor(
    backend: BackendClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.queues = new QueuesTree('queues', backend, log);
    this.workers = new WorkersTree('workers', backend, log);
    this.jobs = new JobsTree('jobs', backend, log);
    this.create(VIEW_IDS.queues, this.queues);
    this.create(VIEW_IDS.workers, this.workers);
    this.jobsView = this.create(VIEW_IDS.jobs, this.jobs);
    this.lastListable = canList(backend.state);
    this.lastBuilding = backend.state.index?.building === true;
    this.showMessages(backend.state);
    this.disposables.push(
      backend.onNotification(IndexChangedNotification.type, (change) => this.changed(change)),
      backend.onDidChangeState((state) => this.onState(state)),
    );
  }

  get trees(): JobTree[] {
    return [this.queues, this.workers, this.jobs];
  }

  private create(id: string, tree: JobTree): vscode.TreeView<NaqNode> {
    const view = vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: true });
    tree.view = view;
    this.disposables.push(view, tree, view.onDidCollapseElement((event) => tree.collapsed(event.element)));
    return view;
  }

  private onState(state: ConnectionState): void {
    const listable = canList(state);
    const building = state.index?.building === true;
    const stale = stalenessOf(state);
    if (stalenessChanged(this.lastStale, stale)) {
      for (const tree of this.trees) tree.setStaleness(stale);
      this.lastStale = stale;
    }
    this.showMessages(state);
    // Lists change as a whole when the connection comes or goes, and when an index build ends.
    if (listable !== this.lastListable || (this.lastBuilding && !building)) this.refreshAll();
    this.lastListable = listable;
    this.lastBuilding = building;
  }

  /**
   * The line above each tree. While stale all three say they are stale. Otherwise the Queues
   * view keeps its welcome (with the Connect buttons) when disconnected, which a message would hide,
   * and the Jobs view says why instead; while indexing, Queues says how far.
   */
  private showMessages(state: ConnectionState): void {
    const stale = stalenessOf(state);
    if (stale !== undefined) {
      for (const tree of this.trees) if (tree.view) tree.view.message = staleMessage(stale);
      return;
    }
    const listable = canList(state);
    const percent = indexPercent(state);
    if (this.queues.view) {
      this.queues.view.message =
        listable && state.index?.building
          ? percent !== undefined
            ? vscode.l10n.t('Indexing the stream ({0}%); lists fill in as it goes.', percent)
            : vscode.l10n.t('Indexing the stream; lists fill in as it goes.')
          : undefined;
    }
    if (this.workers.view) this.workers.view.message = undefined;
    this.jobs.setIndexNote(leftOutNote(state.index));
    if (this.jobs.view) this.jobs.view.message = listable ? this.jobs.listMessage() : state.detail;
  }

  refreshAll(): void {
    for (const tree of this.trees) tree.refreshAll();
  }

  /** A change comes: applied at once after a quiet second, else merged with the next ones until a second has passed. */
  private changed(change: IndexChange): void {
    this.unapplied = this.unapplied ? mergeChanges(this.unapplied, change) : change;
    if (this.updateTimer !== undefined) return;
    this.updateTimer = setTimeout(
      () => {
        this.updateTimer = undefined;
        const due = this.unapplied;
        this.unapplied = undefined;
        this.lastUpdate = Date.now();
        if (due) this.enqueue(() => this.apply(due));
      },
      Math.max(0, this.lastUpdate + TREE_UPDATE_MS - Date.now()),
    );
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.log.warn('applying an index change failed', error));
  }

  private async apply(change: IndexChange): Promise<void> {
    if (change.reset) {
      this.refreshAll();
      return;
    }
    await Promise.all(this.trees.map((tree) => tree.applyChange(change, changedJobs(change))));
  }

  async loadMore(node: MoreNode): Promise<void> {
    const tree = this.trees.find((t) => t.owns(node.parent));
    await tree?.loadMore(node.parent);
  }

  /** Selects a job's row in the Jobs view (under its status), if it is within the loaded pages. */
  async revealJob(jobId: string): Promise<JobNode | undefined> {
    const node = await this.jobs.jobNodeFor(jobId);
    if (node) await this.jobsView.reveal(node, { select: true, focus: false, expand: true });
    return node;
  }

  dispose(): void {
    clearTimeout(this.updateTimer);
    for (const d of this.disposables) d.dispose();
  }
}
