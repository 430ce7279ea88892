/**
 * What a failed job was asked to do (function and argument reprs from NAQ's failed-jobs stream), shown under the
 * timeline's header. Reprs can be huge (a whole payload), so each is cut to a preview the user can expand.
 */
import * as l10n from '@vscode/l10n';
import type { FailureCall } from '../../../server/src/protocol/protocol';
import { append, clear, el } from '../lib/dom';

/** Characters of a repr shown before "Show all". */
export const REPR_PREVIEW = 200;

export interface ReprPart {
  label: 'args' | 'kwargs';
  full: string;
  preview: string;
  truncated: boolean;
}

/** The call's reprs cut for display; an absent or empty repr is left out. Pure, so the cut is testable. */
export function callParts(call: FailureCall, max = REPR_PREVIEW): ReprPart[] {
  const parts: ReprPart[] = [];
  for (const label of ['args', 'kwargs'] as const) {
    const full = call[label];
    if (full === null || full === '') continue;
    const truncated = full.length > max;
    parts.push({ label, full, preview: truncated ? `${full.slice(0, max)}…` : full, truncated });
  }
  return parts;
}

/** Fills `host` with the call (text only, never markup), or hides it when no call is known. */
export function renderCall(host: HTMLElement, call: FailureCall | null): void {
  clear(host);
  host.hidden = call === null;
  if (call === null) return;
  const list = el('dl', { class: 'facts call-facts' });
  append(list, el('div', { class: 'fact' }, el('dt', { text: l10n.t('Function') }), el('dd', {}, el('code', { class: 'repr', text: call.function }))));
  for (const part of callParts(call)) {
    const code = el('code', { class: 'repr', text: part.preview });
    const dd = el('dd', {}, code);
    if (part.truncated) {
      const toggle = el('button', {
        class: ['button', 'link-button'],
        text: l10n.t('Show all'),
        attrs: { type: 'button', 'aria-expanded': 'false', 'aria-label': l10n.t('Show all of {0} ({1} characters)', part.label, part.full.length) },
      });
      toggle.addEventListener('click', () => {
        const expanded = toggle.getAttribute('aria-expanded') !== 'true';
        code.textContent = expanded ? part.full : part.preview;
        toggle.setAttribute('aria-expanded', String(expanded));
        toggle.textContent = expanded ? l10n.t('Show less') : l10n.t('Show all');
      });
      append(dd, ' ', toggle);
    }
    append(list, el('div', { class: 'fact' }, el('dt', { text: part.label }), dd));
  }
  append(host, list);
}
