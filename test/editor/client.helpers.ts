/** Shared by the client.*.test.ts in-editor tests: the activated extension's API, and waiting. */
import * as vscode from 'vscode';
import type { NaqApi } from '../../client/src/extension';
import { eventually } from '../support/eventually';

export const EXTENSION_ID = 'naq.naq-job-events';

export async function naqApi(): Promise<NaqApi> {
  const extension = vscode.extensions.getExtension<NaqApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return extension.activate();
}


/** Waits until the backend is connected and its index built. */
export async function connected(api: NaqApi, timeoutMs = 45_000): Promise<void> {
  if (api.backend.state.phase !== 'connected' && api.backend.state.phase !== 'connecting') {
    await vscode.commands.executeCommand('naq.connect');
  }
  await eventually(
    `a connected backend (now: ${api.backend.state.phase}: ${api.backend.state.detail})`,
    () => api.backend.state.phase === 'connected' && api.backend.state.index?.building !== true,
    timeoutMs,
  );
}

interface PackageJson {
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    configuration: { properties: Record<string, { default?: unknown; scope?: string }> };
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
  };
  activationEvents: string[];
  main: string;
}

export function manifest(): PackageJson {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return extension.packageJSON as PackageJson;
}
