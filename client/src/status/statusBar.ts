/**
 * The NAQ status bar item: the connection phase at a glance, the detail in its tooltip, and a
 * quick pick of actions on click. It is the one place connection problems show up, instead of
 * pop-ups.
 */
import * as vscode from 'vscode';
import type { ConnectionState } from '../../../server/src/protocol/protocol';
import { formatCount, formatBytes } from '../util/format';

export interface StatusView {
  text: string;
  /** Markdown, every value from the backend escaped. */
  tooltip: vscode.MarkdownString;
  background?: vscode.ThemeColor;
}

/** Indexing progress in percent, or undefined while unknown. */
export function indexPercent(state: ConnectionState): number | undefined {
  const index = state.index;
  if (!index?.building || index.targetSequence <= 0) return undefined;
  return Math.max(0, Math.min(99, Math.floor((index.indexedEvents / index.targetSequence) * 100)));
}

export function describeState(state: ConnectionState): StatusView {
  const tooltip = new vscode.MarkdownString(undefined, true);
  const building = state.index?.building === true;
  const percent = indexPercent(state);
  let text: string;
  let background: vscode.ThemeColor | undefined;
  switch (state.phase) {
    case 'connecting':
      text = `$(sync~spin) NAQ${percent !== undefined ? ` indexing ${percent}%` : ''}`;
      break;
    case 'connected':
      text = building
        ? `$(sync~spin) NAQ indexing${percent !== undefined ? ` ${percent}%` : '…'}`
        : `$(database) NAQ${state.stream ? ` ${formatCount(state.stream.messages)}` : ''}`;
      break;
    case 'degraded':
      text = '$(warning) NAQ';
      background = new vscode.ThemeColor('statusBarItem.warningBackground');
      break;
    case 'disconnected':
    case 'no-server':
      text = '$(debug-disconnect) NAQ';
      break;
  }

  tooltip.appendMarkdown('**NAQ Job Events** — ');
  tooltip.appendText(phaseLabel(state));
  tooltip.appendMarkdown('\n\n');
  if (state.detail) {
    tooltip.appendText(state.detail);
    tooltip.appendMarkdown('\n\n');
  }
  if (state.server && !state.detail.includes(state.server.url)) {
    tooltip.appendMarkdown('$(server) ');
    tooltip.appendText(`${state.server.url} — NATS ${state.server.version}${state.server.embedded ? ' (embedded)' : ''}`);
    tooltip.appendMarkdown('\n\n');
  }
  if (state.stream) {
    tooltip.appendMarkdown('$(database) ');
    tooltip.appendText(
      `Stream ${state.stream.name}: ${formatCount(state.stream.messages)} events, ${formatBytes(state.stream.bytes)}, last sequence ${state.stream.lastSeq}`,
    );
    tooltip.appendMarkdown('\n\n');
  }
  if (state.index) {
    tooltip.appendMarkdown(building ? '$(sync~spin) ' : '$(list-tree) ');
    tooltip.appendText(
      building
        ? `Indexing: ${formatCount(state.index.indexedEvents)} of ${formatCount(state.index.targetSequence)} events, ${formatCount(state.index.jobs)} jobs so far`
        : `Index: ${formatCount(state.index.jobs)} jobs`,
    );
    tooltip.appendMarkdown('\n\n');
  }
  tooltip.appendMarkdown('_Click for NAQ actions_');
  return background ? { text, tooltip, background } : { text, tooltip };
}

export function phaseLabel(state: ConnectionState): string {
  switch (state.phase) {
    case 'connecting':
      return state.index?.building ? 'indexing' : 'connecting';
    case 'connected':
      return state.index?.building ? 'connected, indexing' : 'connected';
    case 'degraded':
      return 'degraded';
    case 'disconnected':
      return 'disconnected';
    case 'no-server':
      return 'no NATS server';
  }
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem('naq.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'NAQ Job Events';
    this.item.command = command;
  }

  update(state: ConnectionState): void {
    const view = describeState(state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.background;
    this.item.accessibilityInformation = { label: `NAQ: ${phaseLabel(state)}. ${state.detail}` };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
