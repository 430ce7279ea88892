/**
 * The webview panels (timeline, tail, stats) are loaded on first use: their modules are not
 * evaluated at activation.
 */
import type * as vscode from 'vscode';
import type { TailParams } from '../../server/src/protocol/protocol';
import type { BackendClient } from './backend/backendClient';
import type { JobsTimeFilter } from './stats/index';

export async function showTimeline(context: vscode.ExtensionContext, client: BackendClient, jobId: string, column?: vscode.ViewColumn): Promise<void> {
  const timeline = await import('./timeline/index.js');
  timeline.showTimeline(context, client, jobId, column);
}

export async function startTailView(context: vscode.ExtensionContext, client: BackendClient, params: TailParams): Promise<void> {
  const tail = await import('./tail/index.js');
  await tail.startTailView(context, client, params);
}

export async function stopTailView(): Promise<void> {
  const tail = await import('./tail/index.js');
  await tail.stopTailView();
}

export async function showStats(context: vscode.ExtensionContext, client: BackendClient, jobs: JobsTimeFilter): Promise<void> {
  const stats = await import('./stats/index.js');
  stats.showStats(context, client, jobs);
}
