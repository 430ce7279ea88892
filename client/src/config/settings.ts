/**
 * The `naq.*` settings, read into the protocol's BackendSettings. Secrets are not settings: they
 * come from SecretStore and are added here only on the way to the backend.
 */
import * as vscode from 'vscode';
import type { BackendSettings } from '../../../server/src/protocol/protocol';

export const SECTION = 'naq';

/** Settings that, when changed, mean the backend must connect again. */
const CONNECTION_KEYS = ['serverUrl', 'streamName', 'subjectPrefix', 'context', 'natsServerPath', 'embeddedServer', 'tail.rateLimit', 'index.maxJobs'] as const;

export const DEFAULTS = {
  streamName: 'NAQ_JOB_EVENTS',
  subjectPrefix: 'naq.jobs.events',
  tailRateLimit: 200,
} as const;

function text(config: vscode.WorkspaceConfiguration, key: string, fallback = ''): string {
  const value = config.get<unknown>(key);
  return typeof value === 'string' ? value.trim() || fallback : fallback;
}

export function readSettings(storagePath: string, secrets: BackendSettings['secrets']): BackendSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const rate = config.get<unknown>('tail.rateLimit');
  const maxJobs = config.get<unknown>('index.maxJobs');
  return {
    serverUrl: text(config, 'serverUrl'),
    streamName: text(config, 'streamName', DEFAULTS.streamName),
    subjectPrefix: text(config, 'subjectPrefix', DEFAULTS.subjectPrefix),
    context: text(config, 'context'),
    natsServerPath: text(config, 'natsServerPath'),
    embeddedServer: config.get<unknown>('embeddedServer') === 'never' ? 'never' : 'auto',
    tailRateLimit: typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? Math.floor(rate) : DEFAULTS.tailRateLimit,
    // Left out unless usable: the backend then keeps its own default (server/src/config/defaults.ts).
    ...(typeof maxJobs === 'number' && Number.isInteger(maxJobs) && maxJobs > 0 ? { maxIndexedJobs: maxJobs } : {}),
    storagePath,
    secrets,
  };
}

/** The subject prefix in effect, for building tail patterns client-side. */
export function subjectPrefix(): string {
  return text(vscode.workspace.getConfiguration(SECTION), 'subjectPrefix', DEFAULTS.subjectPrefix);
}

export function failureNotificationsEnabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('notifications.failures', false) === true;
}

export function affectsConnection(event: vscode.ConfigurationChangeEvent): boolean {
  return CONNECTION_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}

/**
 * Where to write a setting the user changes through a command: the workspace if it already sets
 * it there (so the change takes effect), else the user settings.
 */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect(key);
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await config.update(key, value, target);
}

/** Removes a setting from the workspace and user settings, wherever it is set, so that its default applies. */
export async function clearSetting(key: string): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect(key);
  if (inspected?.workspaceValue !== undefined) await config.update(key, undefined, vscode.ConfigurationTarget.Workspace);
  if (inspected?.globalValue !== undefined) await config.update(key, undefined, vscode.ConfigurationTarget.Global);
}
