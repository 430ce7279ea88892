/**
 * What a tail's header says: the tail's own state (from the extension, which follows the backend's
 * connection) combined with the page's pause. Pure: unit-tested in node.
 */
import * as l10n from '@vscode/l10n';
import type { TailStatus } from '../../../client/src/webview/messages';

export interface TailHeader {
  text: string;
  /** A codicon name; `spin` while the state is changing. */
  icon: string;
  spin: boolean;
  /** `running` (green), `paused`, `warning`, `stopped`. */
  tone: 'running' | 'paused' | 'warning' | 'stopped';
  /** A note under the header: why the tail reconnects or stopped. */
  note: { kind: 'warning' | 'error'; text: string } | null;
}

export function tailHeader(status: TailStatus, paused: boolean, pending: number): TailHeader {
  switch (status.state) {
    case 'live':
      return paused
        ? {
            text: pending > 0 ? l10n.t('Paused: {0} ({1} new)', status.pattern, pending.toLocaleString()) : l10n.t('Paused: {0}', status.pattern),
            icon: 'debug-pause',
            spin: false,
            tone: 'paused',
            note: null,
          }
        : { text: l10n.t('Live: {0}', status.pattern), icon: 'circle-filled', spin: false, tone: 'running', note: null };
    case 'starting':
      return { text: l10n.t('Starting: {0}', status.pattern), icon: 'loading', spin: true, tone: 'warning', note: null };
    case 'reconnecting':
      return {
        text: l10n.t('Reconnecting: {0}', status.pattern),
        icon: 'sync',
        spin: true,
        tone: 'warning',
        note: {
          kind: 'warning',
          text: `${l10n.t('No events until the connection is back; the tail resumes by itself after the last line shown.')}${status.reason ? ` ${status.reason}` : ''}`,
        },
      };
    case 'stopped':
      return { text: l10n.t('Stopped: {0}', status.pattern), icon: 'circle-outline', spin: false, tone: 'stopped', note: status.reason ? { kind: 'error', text: status.reason } : null };
  }
}
