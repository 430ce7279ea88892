/**
 * What the three NAQ trees share: paged job groups ("Load more…"), errors shown as rows, nothing
 * listed while disconnected (the welcome view shows instead) except while stale (an outage, an index not following the stream), when the last
 * known rows stay, dimmed and marked stale, and refreshing only the groups an `index/changed`
 * notification touches.
 */
import * as vscode from 'vscode';
import { ListJobsRequest, type ConnectionState, type IndexChange, type JobItem } from '../../../server/src/protocol/protocol';
import type { BackendClient } from '../backend/backendClient';
import type { ChangedJobs } from './changedJobs';
import { errorText } from '../util/format';
import type { GroupNode, JobNode, MessageNode, NaqNode } from './nodes';
import { dimmed, jobTooltip, renderNode } from './render';
import { staleDescription, staleSince, type Staleness } from './staleness';

export const PAGE_SIZE = 100;

/** The trees list only when the backend can answer from a connection. */
export function canList(state: ConnectionState): boolean {
  return state.phase === 'connected' || state.phase === 'degraded';
}

export type TreeChange = NaqNode | NaqNode[] | undefined | void;

export abstract class JobTree implements vscode.TreeDataProvider<NaqNode>, vscode.Disposable {
  protected readonly changed = new vscode.EventEmitter<TreeChange>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Set by the owner once the view exists, for its description and badge. */
  view: vscode.TreeView<NaqNode> | undefined;
  /** True once the root has been listed: before that no element is shown, so there is nothing to refresh. */
  protected rootListed = false;
  /** The top-level rows as last listed: what the tree keeps showing during an outage. */
  private lastRoots: NaqNode[] = [];
  /** Set when a change has just fetched what the top-level rows are made of: the next listing of them asks nothing. */
  private rootsFetched = false;
  /**
   * Set while the rows are the last known ones: NATS lost or not answering (requests are not made), or the index
   * not following the stream (it answers with those rows).
   */
  private stale: Staleness | undefined;
  /** The view's description and badge from the last listing, shown again once they are no longer stale. */
  private liveDescription: string | undefined;
  private liveBadge: vscode.ViewBadge | undefined;

  constructor(
    /** For logs and element ids ("queues", "workers", "jobs"). */
    readonly name: string,
    protected readonly backend: BackendClient,
    protected readonly log: vscode.LogOutputChannel,
  ) {}

  getTreeItem(node: NaqNode): vscode.TreeItem {
    const item = renderNode(node);
    return this.stale === undefined ? item : dimmed(item);
  }

  /** Starts, updates or ends (undefined) the stale marking; the rows are drawn again. */
  setStaleness(stale: Staleness | undefined): void {
    this.stale = stale;
    this.showDescription();
    this.changed.fire(undefined);
  }

  /** The view's description, as the subclass words it from a listing; marked stale during an outage. */
  protected setDescription(text: string | undefined): void {
    this.liveDescription = text;
    this.showDescription();
  }

  /** The view's badge (the count that needs attention); none while stale, where the count may be wrong. */
  protected setBadge(badge: vscode.ViewBadge | undefined): void {
    this.liveBadge = badge;
    this.showDescription();
  }

  /** Sets only what differs: each set is a message to the editor's window, even with the same value. */
  private showDescription(): void {
    if (!this.view) return;
    const description = staleDescription(this.liveDescription, this.stale);
    if (this.view.description !== description) this.view.description = description;
    const badge = this.stale === undefined ? this.liveBadge : undefined;
    if (badge?.value !== this.view.badge?.value || badge?.tooltip !== this.view.badge?.tooltip) this.view.badge = badge;
  }

  /**
   * A job's tooltip is made when its row is hovered: Markdown for every job of a page made the
   * page slower to show (built and sent for 100 rows, turned into plain text for each row drawn).
   */
  resolveTreeItem(item: vscode.TreeItem, node: NaqNode): vscode.TreeItem {
    if (node.kind === 'job') item.tooltip = jobTooltip(node.job);
    return item;
  }

  getParent(node: NaqNode): NaqNode | undefined {
    return node.parent;
  }

  async getChildren(node?: NaqNode): Promise<NaqNode[]> {
    if (!canList(this.backend.state)) {
      if (this.stale !== undefined && this.rootListed) return node === undefined ? this.lastRoots : this.staleChildren(node);
      if (node === undefined) this.rootListed = false;
      return [];
    }
    try {
      if (node === undefined) {
        if (!this.rootsFetched) await this.fetchRoots();
        this.rootsFetched = false;
        const roots = this.listedRoots();
        this.rootListed = true;
        this.lastRoots = roots;
        return roots;
      }
      return await this.children(node);
    } catch (error) {
      this.log.warn(`${this.name} view: listing failed`, error);
      return [
        this.message(node, 'error', vscode.l10n.t('Could not list: {0}', errorText(error)), vscode.l10n.t('Use "NAQ: Refresh" to try again; "NAQ: Show Logs" has details.')),
      ];
    }
  }

  /** What an element held when the outage began, without asking the backend (it could only fail). */
  private async staleChildren(node: NaqNode): Promise<NaqNode[]> {
    if (node.kind !== 'group') return this.children(node);
    const page = node.page;
    if (page === undefined) return [this.message(node, 'info', vscode.l10n.t('Not loaded: {0}', staleSince(this.stale as Staleness)))];
    return page.jobs.length === 0 ? [this.message(node, 'info', node.role === 'search' ? vscode.l10n.t('No matching jobs') : vscode.l10n.t('No jobs'))] : [...page.jobs];
  }

  /** Asks the backend for what the top-level rows are made of, and takes it in. */
  protected async fetchRoots(): Promise<void> {
    await this.recount();
  }

  /** The top-level elements, as last fetched. */
  protected abstract listedRoots(): NaqNode[];

  /** The children of a non-root element; groups are handled here. */
  protected children(node: NaqNode): Promise<NaqNode[]> | NaqNode[] {
    return node.kind === 'group' ? this.groupChildren(node) : [];
  }

  /** Every group that is in the tree now. */
  protected abstract groups(): Iterable<GroupNode>;

  /** Whether a change can alter the top-level rows: their set or their counts. */
  protected abstract rootsAffected(change: IndexChange): boolean;

  /** Reads the top-level rows again: those whose counts changed, or undefined when the set of rows changed. */
  protected abstract recount(): Promise<NaqNode[] | undefined>;

  /**
   * Brings the tree up to date with one `index/changed`; fires for what changed. What the editor will
   * ask for is listed before the tree is told, not when it asks: refreshing an element drops its rows'
   * handles until its `getChildren` answers, and a context-menu command run from a row in that gap got
   * no row (it asked for a job id instead of acting on the job). So the groups on screen are loaded
   * again first, and when the top-level rows came or went, the listing that `recount` fetched is kept
   * for the editor's next listing of them.
   */
  async applyChange(change: IndexChange, changed: ChangedJobs): Promise<void> {
    if (!this.rootListed) return;
    const toFire: NaqNode[] = [];
    if (this.rootsAffected(change)) {
      const counted = await this.recount();
      if (counted === undefined) {
        this.touchedGroups(change, changed);
        await this.reloadOnScreen(this.groups());
        this.rootsFetched = true;
        this.changed.fire(undefined);
        return;
      }
      toFire.push(...counted);
    }
    toFire.push(...this.touchedGroups(change, changed));
    await this.reloadOnScreen(toFire);
    this.fire(toFire);
  }

  /**
   * Loads again the stale groups among `nodes` whose rows are on screen. A failure leaves its group stale,
   * for its `getChildren` to try again and show the error.
   */
  private async reloadOnScreen(nodes: Iterable<NaqNode>): Promise<void> {
    const onScreen = new Set([...nodes].filter((node): node is GroupNode => node.kind === 'group' && node.shown && node.stale));
    await Promise.all([...onScreen].map((group) => this.reload(group).catch((error: unknown) => this.log.warn(`${this.name} view: listing ${group.id} failed`, error))));
  }

  /** The editor collapsed `node`: the rows of its groups are off screen, and changes only mark them stale. */
  collapsed(node: NaqNode): void {
    if (node.kind === 'group') node.shown = false;
    if (node.kind === 'queue') for (const group of node.groups.values()) group.shown = false;
  }

  /** Everything again (a reset, a reconnect, the Refresh command). */
  refreshAll(): void {
    this.rootsFetched = false;
    for (const group of this.groups()) group.stale = true;
    this.changed.fire(undefined);
  }

  protected fire(nodes: Iterable<NaqNode>): void {
    const list = [...new Set(nodes)];
    if (list.length > 0) this.changed.fire(list);
  }

  protected message(parent: NaqNode | undefined, icon: MessageNode['icon'], text: string, detail?: string): MessageNode {
    const owner = parent?.kind === 'group' || parent?.kind === 'queue' ? parent : undefined;
    return { kind: 'message', id: `${owner?.id ?? this.name}/message/${text}`, text, detail, icon, parent: owner };
  }

  // ---- Groups and pages ----

  private async groupChildren(group: GroupNode): Promise<NaqNode[]> {
    if (group.page === undefined || group.stale) {
      const recounted = await this.reload(group);
      // The row's own count is out of date: redraw it, after this listing is done.
      if (recounted) setTimeout(() => this.changed.fire([group]), 0);
    }
    group.shown = true;
    const page = group.page!;
    if (page.jobs.length === 0) {
      return [this.message(group, 'info', group.role === 'search' ? vscode.l10n.t('No matching jobs') : vscode.l10n.t('No jobs'))];
    }
    return page.total > page.jobs.length ? [...page.jobs, group.more] : [...page.jobs];
  }

  /** Loads as many jobs as were shown before (at least a page), from the start; true when the group's count changed. */
  private async reload(group: GroupNode): Promise<boolean> {
    const limit = Math.max(PAGE_SIZE, group.page?.requested ?? 0);
    const result = await this.backend.request(ListJobsRequest.type, { ...group.filter, offset: 0, limit });
    const jobs = result.items.map((job) => this.jobNode(group, job));
    const keep = new Set(result.items.map((job) => job.jobId));
    for (const id of group.jobNodes.keys()) if (!keep.has(id)) group.jobNodes.delete(id);
    group.page = { jobs, total: result.total, requested: limit };
    group.stale = false;
    if (group.count === result.total) return false;
    group.count = result.total;
    return true;
  }

  /** The next page of a group, appended (the "Load more…" row). */
  async loadMore(group: GroupNode): Promise<void> {
    const page = group.page;
    if (page === undefined) return;
    const result = await this.backend.request(ListJobsRequest.type, { ...group.filter, offset: page.jobs.length, limit: PAGE_SIZE });
    // New activity moves jobs to the front, so a page may repeat jobs already shown.
    const shown = new Set(page.jobs.map((node) => node.job.jobId));
    for (const job of result.items) if (!shown.has(job.jobId)) page.jobs.push(this.jobNode(group, job));
    page.total = result.total;
    page.requested = page.jobs.length;
    group.count = result.total;
    this.changed.fire([group]);
  }

  private jobNode(group: GroupNode, job: JobItem): JobNode {
    let node = group.jobNodes.get(job.jobId);
    if (node === undefined) {
      node = { kind: 'job', id: `${group.id}/job/${job.jobId}`, job, parent: group };
      group.jobNodes.set(job.jobId, node);
    } else {
      node.job = job;
    }
    return node;
  }

  /** Would this group list the job, as it is now? */
  protected static matches(group: GroupNode, job: JobItem): boolean {
    const f = group.filter;
    if (f.status !== undefined && job.status !== f.status) return false;
    if (f.queue !== undefined && job.queue !== f.queue) return false;
    if (f.worker !== undefined && job.worker !== f.worker) return false;
    if (f.activeFrom !== undefined && job.lastTime < f.activeFrom) return false;
    if (f.activeTo !== undefined && job.firstTime >= f.activeTo) return false;
    if (f.search !== undefined) {
      const q = f.search.toLowerCase();
      const inId = job.jobId.toLowerCase().includes(q);
      const inError = (job.lastError?.message ?? '').toLowerCase().includes(q);
      if (!inId && !inError) return false;
    }
    return true;
  }

  /**
   * Loaded groups whose list the change touches: they show one of the changed jobs, or would
   * show it now (new activity puts a job at the top of its groups).
   */
  protected touchedGroups(change: IndexChange, changed: ChangedJobs): GroupNode[] {
    const touched: GroupNode[] = [];
    for (const group of this.groups()) {
      if (group.page === undefined) continue;
      const hit =
        !changed.complete ||
        change.jobs.some((id) => {
          if (group.jobNodes.has(id)) return true;
          const job = changed.jobs.get(id);
          return job != null && JobTree.matches(group, job);
        });
      if (hit) {
        group.stale = true;
        touched.push(group);
      }
    }
    return touched;
  }

  /** Whether this group belongs to this tree. */
  owns(group: GroupNode): boolean {
    for (const g of this.groups()) if (g === group) return true;
    return false;
  }

  /** A job row currently shown for this job id, if any (for reveal). */
  findJobNode(jobId: string): JobNode | undefined {
    for (const group of this.groups()) {
      const node = group.jobNodes.get(jobId);
      if (node && group.page?.jobs.includes(node)) return node;
    }
    return undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
