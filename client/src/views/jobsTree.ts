/** Jobs view: status → jobs, with an optional "Search: …" group on top. */
import * as vscode from 'vscode';
import { GetJobRequest, ListJobsRequest, type IndexChange, type JobStatus } from '../../../server/src/protocol/protocol';
import { counted } from '../util/format';
import { JobTree } from './jobTree';
import { newGroup, type GroupNode, type JobNode, type NaqNode } from './nodes';
import { jobCount, STATUS_ORDER } from './render';

export class JobsTree extends JobTree {
  private readonly statusGroups = new Map<JobStatus, GroupNode>();
  private searchGroup: GroupNode | undefined;
  /** Statuses shown at the root, in order, as last listed. */
  private shown: JobStatus[] = [];

  get search(): string | undefined {
    return this.searchGroup?.search;
  }

  /** Shows a "Search: …" group with the jobs whose id or last error contains `query`; undefined removes it. */
  setSearch(query: string | undefined): GroupNode | undefined {
    this.searchGroup =
      query === undefined || query === ''
        ? undefined
        : newGroup({ id: `search/${query}`, role: 'search', search: query, filter: { search: query }, count: 0, parent: undefined });
    void vscode.commands.executeCommand('setContext', 'naq.searchActive', this.searchGroup !== undefined);
    this.changed.fire(undefined);
    return this.searchGroup;
  }

  /** Jobs per status; one `jobs/list` per status, asking for no items. */
  private async counts(): Promise<Map<JobStatus, number>> {
    const totals = await Promise.all(
      STATUS_ORDER.map(async (status) => [status, (await this.backend.request(ListJobsRequest.type, { offset: 0, limit: 0, status })).total] as const),
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
        this.statusGroups.set(status, newGroup({ id: `status/${status}`, role: 'status', status, filter: { status }, count, parent: undefined }));
      } else if (group.count !== count) {
        group.count = count;
        group.stale = true;
        changed.push(group);
      }
    }
    let total = 0;
    for (const n of counts.values()) total += n;
    if (this.view) {
      this.view.description = total > 0 ? jobCount(total) : undefined;
      const failed = counts.get('failed') ?? 0;
      this.view.badge = failed > 0 ? { value: failed, tooltip: counted(failed, vscode.l10n.t('1 failed job'), (n) => vscode.l10n.t('{0} failed jobs', n)) } : undefined;
    }
    return { sameRoots, changed };
  }

  protected async roots(): Promise<NaqNode[]> {
    this.updateCounts(await this.counts());
    const roots: NaqNode[] = this.shown.map((status) => this.statusGroups.get(status)!);
    if (this.searchGroup) {
      this.searchGroup.stale = true;
      roots.unshift(this.searchGroup);
    }
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
