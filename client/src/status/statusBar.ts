/**
 * The NAQ status bar item: the connection phase at a glance, the detail in its tooltip, and a
 * quick pick of actions on click. It is the one place connection problems show up, instead of
 * pop-ups.
 */
import * as vscode from 'vscode';
import type { ConnectionState, IndexProgress } from '../../../server/src/protocol/protocol';
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

/** The jobs the stream holds that the index let go at its limit, in words; undefined when there are none. */
export function leftOutNote(index: IndexProgress | undefined): string | undefined {
  if (!index || index.jobsLeftOut <= 0) return undefined;
  return vscode.l10n.t(
    '{0} older jobs in the stream are not listed: the index keeps the {1} most recently active (naq.index.maxJobs).',
    formatCount(index.jobsLeftOut),
    formatCount(index.maxJobs),
  );
}

export function describeState(state: ConnectionState): StatusView {
  const tooltip = new vscode.MarkdownString(undefined, true);
  const building = state.index?.building === true;
  const percent = indexPercent(state);
  let text: string;
  let background: vscode.ThemeColor | undefined;
  switch (state.phase) {
    case 'connecting':
      text = `$(sync~spin) ${percent !== undefined ? vscode.l10n.t('NAQ indexing {0}%', percent) : 'NAQ'}`;
      break;
    case 'connected':
      text = building
        ? `$(sync~spin) ${percent !== undefined ? vscode.l10n.t('NAQ indexing {0}%', percent) : vscode.l10n.t('NAQ indexing…')}`
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
    tooltip.appendText(
      state.server.embedded
        ? vscode.l10n.t('{0} — NATS {1} (embedded)', state.server.url, state.server.version)
        : vscode.l10n.t('{0} — NATS {1}', state.server.url, state.server.version),
    );
    tooltip.appendMarkdown('\n\n');
  }
  if (state.stream) {
    tooltip.appendMarkdown('$(database) ');
    tooltip.appendText(
      vscode.l10n.t(
        'Stream {0}: {1} events, {2}, last sequence {3}',
        state.stream.name,
        formatCount(state.stream.messages),
        formatBytes(state.stream.bytes),
        state.stream.lastSeq,
      ),
    );
    tooltip.appendMarkdown('\n\n');
  }
  if (state.index) {
    tooltip.appendMarkdown(building ? '$(sync~spin) ' : '$(list-tree) ');
    tooltip.appendText(
      building
        ? vscode.l10n.t(
            'Indexing: {0} of {1} events, {2} jobs so far',
            formatCount(state.index.indexedEvents),
            formatCount(state.index.targetSequence),
            formatCount(state.index.jobs),
          )
        : vscode.l10n.t('Index: {0} jobs', formatCount(state.index.jobs)),
    );
    tooltip.appendMarkdown('\n\n');
    const leftOut = leftOutNote(state.index);
    if (leftOut !== undefined) {
      tooltip.appendMarkdown('$(warning) ');
      tooltip.appendText(leftOut);
      tooltip.appendMarkdown('\n\n');
    }
  }
  tooltip.appendMarkdown('_');
  tooltip.appendText(vscode.l10n.t('Click for NAQ actions'));
  tooltip.appendMarkdown('_');
  return background ? { text, tooltip, background } : { text, tooltip };
}

export function phaseLabel(state: ConnectionState): string {
  switch (state.phase) {
    case 'connecting':
      return state.index?.building ? vscode.l10n.t('indexing') : vscode.l10n.t('connecting');
    case 'connected':
      return state.index?.building ? vscode.l10n.t('connected, indexing') : vscode.l10n.t('connected');
    case 'degraded':
      return vscode.l10n.t('degraded');
    case 'disconnected':
      return vscode.l10n.t('disconnected');
    case 'no-server':
      return vscode.l10n.t('no NATS server');
  }
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor(command: string) {
    this.item = vscode.window.createStatusBarItem('naq.status', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('NAQ Job Events');
    this.item.command = command;
  }

  update(state: ConnectionState): void {
    const view = describeState(state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.background;
    this.item.accessibilityInformation = { label: vscode.l10n.t('NAQ: {0}. {1}', phaseLabel(state), state.detail) };
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
