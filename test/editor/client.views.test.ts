/**
 * The trees against a real backend and NATS server: what they list, how they page, what a change
 * refreshes, search, reveal, and the hover link's trust. Needs a NATS server the extension can reach
 * (the harness's, through naq.serverUrl, or the embedded one).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { EmitLifecycleRequest, EmitRequest } from '../../server/src/protocol/protocol';
import type { NaqApi } from '../../client/src/extension';
import type { GroupNode, JobNode, NaqNode, QueueNode } from '../../client/src/views/nodes';
import { eventually } from '../support/eventually';
import { connected, naqApi } from './client.helpers';
import { test } from './runner';

const suffix = randomBytes(3).toString('hex');
const queue = `q-${suffix}`;
const worker = `w-${suffix}`;
let failedJob = '';
let api: NaqApi;

async function queueNode(name: string): Promise<QueueNode | undefined> {
  const roots = await api.views.queues.getChildren();
  return roots.find((n): n is QueueNode => n.kind === 'queue' && n.item.name === name);
}

function groupOf(children: NaqNode[], status: string): GroupNode | undefined {
  return children.find((n): n is GroupNode => n.kind === 'group' && n.status === status);
}

function jobIn(children: NaqNode[], jobId: string): JobNode | undefined {
  return children.find((n): n is JobNode => n.kind === 'job' && n.job.jobId === jobId);
}

test(
  'client: the trees list a connected stream (queue → status → job, worker → job, status → job)',
  async () => {
    api = await naqApi();
    await connected(api);
    const failure = await api.backend.request(EmitLifecycleRequest.type, { scenario: 'failure-with-retries', queue, worker });
    await api.backend.request(EmitLifecycleRequest.type, { scenario: 'success', queue, worker });
    failedJob = failure.jobId;

    // Queues: the queue, its status groups with counts, the jobs.
    const node = await eventually(`queue ${queue} in the Queues tree`, async () => {
      const n = await queueNode(queue);
      return n && n.item.total === 2 ? n : undefined;
    });
    const queueItem = api.views.queues.getTreeItem(node);
    assert.equal(queueItem.label, queue);
    assert.match(String(queueItem.description), /2 jobs · 1 failed/);
    const groups = await api.views.queues.getChildren(node);
    const failed = groupOf(groups, 'failed');
    assert.ok(failed, `no failed group under ${queue}: ${groups.map((g) => g.id).join(', ')}`);
    assert.ok(groupOf(groups, 'completed'), 'no completed group');
    assert.equal(api.views.queues.getTreeItem(failed).description, '1');
    const jobs = await api.views.queues.getChildren(failed);
    const job = jobIn(jobs, failedJob);
    assert.ok(job, `job ${failedJob} not under ${queue}/failed`);

    // The job row: status icon in the theme's colour, escaped tooltip, opens the timeline.
    const item = api.views.queues.getTreeItem(job);
    assert.ok(item.iconPath instanceof vscode.ThemeIcon);
    assert.equal(item.iconPath.id, 'error');
    assert.equal(item.iconPath.color?.id, 'testing.iconFailed');
    assert.deepEqual(item.command?.command, 'naq.openTimeline');
    assert.deepEqual(item.command?.arguments, [failedJob]);
    assert.equal(item.contextValue, 'naq.job');
    // The tooltip comes on hover, through resolveTreeItem.
    const { tooltip } = api.views.queues.resolveTreeItem(item, job);
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.ok(tooltip.value.includes('ConnectionError'), 'tooltip lacks the last error');
    assert.ok(!tooltip.isTrusted, 'a job tooltip must not be trusted');

    // getParent leads back up, so reveal works.
    assert.equal(api.views.queues.getParent(job), failed);
    assert.equal(api.views.queues.getParent(failed), node);
    assert.equal(api.views.queues.getParent(node), undefined);

    // Workers: worker → its jobs.
    const workers = await eventually(`worker ${worker}`, async () =>
      (await api.views.workers.getChildren()).find((n): n is GroupNode => n.kind === 'group' && n.worker?.id === worker),
    );
    assert.ok(jobIn(await api.views.workers.getChildren(workers), failedJob), `job ${failedJob} not under worker ${worker}`);

    // Jobs: status → jobs.
    const statusGroup = groupOf(await api.views.jobs.getChildren(), 'failed');
    assert.ok(statusGroup, 'no Failed group in the Jobs tree');
    assert.ok(jobIn(await api.views.jobs.getChildren(statusGroup), failedJob), `job ${failedJob} not in Jobs/Failed`);
  },
  { timeoutMs: 90_000 },
);

test(
  'client: an index change refreshes the elements it names, not the whole tree',
  async () => {
    const node = await queueNode(queue);
    assert.ok(node);
    const fired: (NaqNode | NaqNode[] | undefined | void)[] = [];
    const subscription = api.views.queues.onDidChangeTreeData((e) => fired.push(e));
    try {
      await api.backend.request(EmitRequest.type, { event: { job_id: `job-${suffix}-x`, event_type: 'enqueued', queue_name: queue } });
      await eventually('a refresh naming the queue', () => fired.some((e) => Array.isArray(e) && e.includes(node)), 10_000);
      assert.ok(!fired.includes(undefined), 'the whole tree was refreshed');
      assert.equal(node.item.total, 3);
    } finally {
      subscription.dispose();
    }
  },
  { timeoutMs: 30_000 },
);

test(
  "client: a group on screen is listed again before the tree is told of a change, so its rows' handles never wait on a request; a collapsed one is only marked stale",
  async () => {
    const first = `job-${suffix}-shown-1`;
    await api.backend.request(EmitRequest.type, { event: { job_id: first, event_type: 'enqueued', queue_name: queue } });
    const group = await eventually('a Queued group in the Jobs view listing the first job', async () => {
      const queued = groupOf(await api.views.jobs.getChildren(), 'queued');
      return queued && jobIn(await api.views.jobs.getChildren(queued), first) ? queued : undefined;
    });
    // What the group held at the moment the tree named it: the editor asks for its rows right then.
    const atFire: { stale: boolean; lists: (jobId: string) => boolean }[] = [];
    const subscription = api.views.jobs.onDidChangeTreeData((e) => {
      if (!Array.isArray(e) || !e.includes(group)) return;
      const listed = new Set(group.page?.jobs.map((n) => n.job.jobId));
      atFire.push({ stale: group.stale, lists: (jobId) => listed.has(jobId) });
    });
    try {
      const second = `job-${suffix}-shown-2`;
      await api.backend.request(EmitRequest.type, { event: { job_id: second, event_type: 'enqueued', queue_name: queue } });
      await eventually('a refresh of the Queued group that lists the second job', () => atFire.some((f) => f.lists(second)), 10_000);
      assert.deepEqual(
        atFire.filter((f) => f.stale),
        [],
        'the group was named while its rows were still to be listed',
      );

      api.views.jobs.collapsed(group);
      const told = atFire.length;
      const third = `job-${suffix}-shown-3`;
      await api.backend.request(EmitRequest.type, { event: { job_id: third, event_type: 'enqueued', queue_name: queue } });
      await eventually('a refresh of the collapsed Queued group', () => atFire.length > told, 10_000);
      assert.deepEqual(
        atFire.slice(told).filter((f) => !f.stale || f.lists(third)),
        [],
        'a collapsed group was loaded again before the tree was told',
      );
      assert.ok(jobIn(await api.views.jobs.getChildren(group), third), 'expanded again, the group does not list the third job');
    } finally {
      subscription.dispose();
    }
  },
  { timeoutMs: 30_000 },
);

test(
  'client: when top-level rows come or go, the tree is told with their listing fetched already: listing them then asks the backend nothing',
  async () => {
    await api.views.workers.getChildren();
    const newWorker = `w-${suffix}-new`;
    const backend = api.backend as { request: typeof api.backend.request };
    const own = Object.prototype.hasOwnProperty.call(backend, 'request');
    const request = backend.request;
    // Listed the moment the tree is told, as the editor would: what that listing asks for, it asks before its first await.
    const listings: { asked: number; roots: Promise<NaqNode[]> }[] = [];
    const subscription = api.views.workers.onDidChangeTreeData((e) => {
      if (e !== undefined) return;
      let asked = 0;
      backend.request = ((...args: Parameters<typeof request>) => {
        asked++;
        return (request as (...a: unknown[]) => Promise<unknown>).apply(api.backend, args);
      }) as typeof request;
      try {
        listings.push({ asked: 0, roots: api.views.workers.getChildren() });
      } finally {
        if (own) backend.request = request;
        else delete (backend as Partial<typeof backend>).request;
      }
      listings[listings.length - 1]!.asked = asked;
    });
    try {
      await api.backend.request(EmitRequest.type, { event: { job_id: `job-${suffix}-new-worker`, event_type: 'started', queue_name: queue, worker_id: newWorker } });
      const listing = await eventually(`a listing of the Workers view with ${newWorker}`, async () => {
        for (const l of listings) if ((await l.roots).some((n) => n.kind === 'group' && n.worker?.id === newWorker)) return l;
        return undefined;
      });
      assert.equal(listing.asked, 0, 'listing the rows after the tree was told asked the backend again');
    } finally {
      subscription.dispose();
    }
  },
  { timeoutMs: 30_000 },
);

test(
  'client: a group pages by 100 with a "Load more…" row',
  async () => {
    const pagedQueue = `p-${suffix}`;
    for (let i = 0; i < 105; i++) {
      await api.backend.request(EmitRequest.type, { event: { job_id: `page-${suffix}-${i}`, event_type: 'enqueued', queue_name: pagedQueue } });
    }
    const node = await eventually(`queue ${pagedQueue} with 105 jobs`, async () => {
      const n = await queueNode(pagedQueue);
      return n && n.item.total === 105 ? n : undefined;
    });
    const queued = groupOf(await api.views.queues.getChildren(node), 'queued');
    assert.ok(queued);
    const first = await api.views.queues.getChildren(queued);
    assert.equal(first.length, 101);
    const more = first[100]!;
    assert.equal(more.kind, 'more');
    assert.equal(api.views.queues.getTreeItem(more).label, 'Load more…');
    await vscode.commands.executeCommand('naq.loadMore', more);
    const all = await api.views.queues.getChildren(queued);
    assert.equal(all.length, 105);
    assert.ok(all.every((n) => n.kind === 'job'));
  },
  { timeoutMs: 60_000 },
);

test('client: search shows a "Search: …" group, and reveal finds a job', async () => {
  const group = api.views.jobs.setSearch(failedJob);
  assert.ok(group);
  const roots = await api.views.jobs.getChildren();
  assert.equal(roots[0], group);
  assert.equal(api.views.jobs.getTreeItem(group).label, `Search: ${failedJob}`);
  assert.ok(jobIn(await api.views.jobs.getChildren(group), failedJob));
  await vscode.commands.executeCommand('naq.clearSearch');
  assert.equal(api.views.jobs.search, undefined);

  const node = await api.views.revealJob(failedJob);
  assert.ok(node, 'revealJob found nothing');
  await eventually('the revealed job selected', () => api.views.jobsView.selection.includes(node));
});

test('client: hovering a job id offers a trusted link to its timeline, and only that command', async () => {
  const document = await vscode.workspace.openTextDocument({ content: `failing job: ${failedJob}\n` });
  await vscode.window.showTextDocument(document);
  const position = new vscode.Position(0, 'failing job: '.length + 2);
  const hovers = await eventually('a NAQ hover', async () => {
    const found = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position);
    return found.find((h) => h.contents.some((c) => c instanceof vscode.MarkdownString && c.value.includes('naq.openTimeline')));
  });
  const markdown = hovers.contents.find((c): c is vscode.MarkdownString => c instanceof vscode.MarkdownString && c.value.includes('naq.openTimeline'))!;
  assert.deepEqual(markdown.isTrusted, { enabledCommands: ['naq.openTimeline'] });
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('client: naq.openTimeline opens the job timeline panel', async () => {
  await vscode.commands.executeCommand('naq.openTimeline', failedJob);
  await eventually('a timeline tab', () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.includes(failedJob) && t.input instanceof vscode.TabInputWebview),
  );
});

test('client: tails and statistics open their panels', async () => {
  const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  await vscode.commands.executeCommand('naq.tailSubject', '');
  const panel = (viewType: string) => (): vscode.Tab | undefined =>
    tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));
  await eventually('the tail panel', panel('naq.tail'));
  await vscode.commands.executeCommand('naq.tailJob', failedJob);
  await vscode.commands.executeCommand('naq.stopTail');
  await vscode.commands.executeCommand('naq.showStats');
  await eventually('the statistics panel', panel('naq.stats'));
});
