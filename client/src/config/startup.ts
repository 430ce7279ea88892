/**
 * Whether to connect when the editor starts, or only once the user shows interest (opens a NAQ
 * view, runs a NAQ command). With nothing configured, connecting may start an embedded nats-server,
 * which no window should do just because the extension is installed.
 */
import * as vscode from 'vscode';
import { SECTION } from './settings';

/** Set once this workspace has been connected; from then on it connects at start-up. */
export const CONNECTED_BEFORE_KEY = 'naq.connectedBefore';

/** Variables the backend reads a server from (NAQ's own settings). */
const SERVER_VARIABLES = ['NAQ_EVENT_STORAGE_URL', 'NAQ_JOB_QUEUE_URL'];

export interface StartupFacts {
  userDisconnected: boolean;
  connectedBefore: boolean;
  /** A server is named in settings or in NAQ's environment variables. */
  serverConfigured: boolean;
}

export type StartupAction = 'connect' | 'wait-for-interest' | 'stay-disconnected';

export function startupAction(facts: StartupFacts): StartupAction {
  if (facts.userDisconnected) return 'stay-disconnected';
  return facts.serverConfigured || facts.connectedBefore ? 'connect' : 'wait-for-interest';
}

export function startupFacts(context: vscode.ExtensionContext, userDisconnected: boolean, env: NodeJS.ProcessEnv = process.env): StartupFacts {
  const config = vscode.workspace.getConfiguration(SECTION);
  const named = (key: string): boolean => (config.get<string>(key) ?? '').trim() !== '';
  return {
    userDisconnected,
    connectedBefore: context.workspaceState.get<boolean>(CONNECTED_BEFORE_KEY, false),
    serverConfigured: named('serverUrl') || named('context') || SERVER_VARIABLES.some((name) => (env[name] ?? '').trim() !== ''),
  };
}
