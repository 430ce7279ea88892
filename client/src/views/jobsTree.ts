/**
 * Jobs view: status → jobs, with an optional "Search: …" group on top; optionally narrowed to the
 * jobs active in a time range (brushed on the statistics dashboard), which the view's message says.
 */
import * as vscode from 'vscode';
import { GetJobRequest, ListJobsRequest, type IndexChange, type JobStatus } from '../../../server/src/protocol/protocol';
import { counted } from '../util/format';
import { JobTree } from './jobTree';
import { newGroup, type GroupNode, type JobFilter, type JobNode, type NaqNode } from './nodes';
import { jobCount, STATUS_ORDER } from './render';

export class JobsTree extends JobTree {
  private readonly statusGroups = new Map<JobStatus, GroupNode>();
  private searchGroup: GroupNode | undefined;
  /** Statuses shown at the root, in order, as last listed. */
  private shown: JobStatus[] = [];
  /** Epoch seconds [from, to): only jobs whose first-to-last event span overlaps it; undefined: every job. */
  private active: { from: number; to: number } | undefined;
  private indexNote: string | undefined;
  private readonly timeFilterChanged = new vscode.EventEmitter<{ from: number; to: number } | undefined>();
  /** Fires when the time filter is set or cleared (the dashboard shows it). */
  readonly onDidChangeTimeFilter = this.timeFilterChanged.event;

  get timeFilter(): { from: number; to: number } | undefined {
    return this.active;
  }

  /** Narrows every group to the jobs active in [from, to); undefined lists every job again. */
  setTimeFilter(range: { from: number; to: number } | undefined): void {
    this.active = range;
    for (const group of this.groups()) {
      group.filter = this.withTime(group.filter);
      group.stale = true;
    }
    void vscode.commands.executeCommand('setContext', 'naq.timeFilterActive', range !== undefined);
    this.describeFilter();
    this.timeFilterChanged.fire(range);
    this.changed.fire(undefined);
  }

  /** A group's filter with the time filter on it, if any (undefined fields are left out). */
  private withTime(filter: JobFilter): JobFilter {
    const rest: JobFilter = { ...filter };
    delete rest.activeFrom;
    delete rest.activeTo;
    return this.active ? { ...rest, activeFrom: this.active.from, activeTo: this.active.to } : rest;
  }

  /**
   * What the view says while it lists jobs: its time filter, and the jobs the index left out (see
   * `setIndexNote`); the views' connection messages take its place otherwise.
   */
  listMessage(): string | undefined {
    const filter = this.active
      ? vscode.l10n.t('Jobs active {0} (a range picked on the statistics chart). "Clear Time Filter" lists every job.', timeSpan(this.active.from, this.active.to))
      : undefined;
    return [filter, this.indexNote].filter((part) => part !== undefined).join(' ') || undefined;
  }

  /** What the index says of the jobs it holds (the jobs it left out at its limit), or nothing. */
  setIndexNote(note: string | undefined): void {
    this.indexNote = note;
  }

  private describeFilter(): void {
    if (this.view) this.view.message = this.listMessage();
  }

  get search(): string | undefined {
    return this.searchGroup?.search;
  }

  /** Shows a "Search: …" group with the jobs whose id or last error contains `query`; undefined removes it. */
  setSearch(query: string | undefined): GroupNode | undefined {
    this.searchGroup =
      query === undefined || query === ''
        ? undefined
        : newGroup({ id: `search/${query}`, role: 'search', search: query, filter: this.withTime({ search: query }), count: 0, parent: undefined });
    void vscode.commands.executeCommand('setContext', 'naq.searchActive', this.searchGroup !== undefined);
    this.changed.fire(undefined);
    return this.searchGroup;
  }

  /** Jobs per status; one `jobs/list` per status, asking for no items. */
  private async counts(): Promise<Map<JobStatus, number>> {
    const totals = await Promise.all(
      STATUS_ORDER.map(async (status) => [status, (await this.backend.request(ListJobsRequest.type, { ...this.withTime({ status }), offset: 0, limit: 0 })).total] as const),
    );
    return new Map(totals);
  }

  private updateCounts(counts: Map<JobStatus, number>): { sameRoots: boolean; changed: GroupNode[] } {
    const shown = STATUS_ORDER.filter((status) => (counts.get(status) ?? 0) > 0);
    const sameRoots = shown.length === this.shown.length && shown.every((s, i) => this.shown[i] === s);
    this.shown = shown;
    const changed: GroupNode[] = [];
    for (const status of shown) {
      const count = counts.get(status) ?? 0;
      const group = this.statusGroups.get(status);
      if (group === undefined) {
        this.statusGroups.set(status, newGroup({ id: `status/${status}`, role: 'status', status, filter: this.withTime({ status }), count, parent: undefined }));
      } else if (group.count !== count) {
        group.count = count;
        group.stale = true;
        changed.push(group);
      }
    }
    let total = 0;
    for (const n of counts.values()) total += n;
    this.setDescription(total > 0 ? (this.active ? vscode.l10n.t('{0} (time filter)', jobCount(total)) : jobCount(total)) : this.active ? vscode.l10n.t('no job in the time filter') : undefined);
    this.describeFilter();
    const failed = counts.get('failed') ?? 0;
    this.setBadge(failed > 0 ? { value: failed, tooltip: counted(failed, vscode.l10n.t('1 failed job'), (n) => vscode.l10n.t('{0} failed jobs', n)) } : undefined);
    return { sameRoots, changed };
  }

  /** A listing asked for without a change (the view shown, Refresh) lists the search again too. */
  protected override async fetchRoots(): Promise<void> {
    await super.fetchRoots();
    if (this.searchGroup) this.searchGroup.stale = true;
  }

  protected listedRoots(): NaqNode[] {
    const roots: NaqNode[] = this.shown.map((status) => this.statusGroups.get(status)!);
    if (this.searchGroup) roots.unshift(this.searchGroup);
    return roots;
  }

  protected *groups(): Iterable<GroupNode> {
    if (this.searchGroup) yield this.searchGroup;
    yield* this.statusGroups.values();
  }

  protected rootsAffected(change: IndexChange): boolean {
    return change.jobs.length > 0;
  }

  protected async recount(): Promise<NaqNode[] | undefined> {
    const { sameRoots, changed } = this.updateCounts(await this.counts());
    return sameRoots ? changed : undefined;
  }


  override dispose(): void {
    this.timeFilterChanged.dispose();
    super.dispose();
  }

  /**
   * The row of a job in its status group, loading the group's first pages if needed; undefined
   * when the job is unknown or further down than a few pages.
   */
  async jobNodeFor(jobId: string): Promise<JobNode | undefined> {
    const job = await this.backend.request(GetJobRequest.type, { jobId });
    if (job === null) return undefined;
    if (!this.rootListed) await this.getChildren();
    const group = this.statusGroups.get(job.status);
    if (group === undefined) return undefined;
    await this.getChildren(group);
    return group.jobNodes.get(jobId);
  }
}

/** "between 10:05 and 10:20" (local time; the date too when the range is not within today). */
export function timeSpan(from: number, to: number): string {
  const start = new Date(from * 1000);
  const end = new Date(to * 1000);
  const today = new Date().toDateString();
  const sameDay = start.toDateString() === today && end.toDateString() === today;
  const show = (d: Date) => (sameDay ? d.toLocaleTimeString() : d.toLocaleString());
  return `between ${show(start)} and ${show(end)}`;
}
