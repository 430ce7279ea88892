/**
 * Renders a JSON value as a tree of native `<details>` disclosures (keyboard-accessible as they
 * are), every key and value as text. Big values are cut off with a count; the whole value is one
 * "Copy as JSON" away.
 */
import * as l10n from '@vscode/l10n';
import { el } from './dom';

export interface JsonTreeOptions {
  /** Levels opened from the start. */
  openDepth?: number;
  /** Most nodes rendered per tree. */
  maxNodes?: number;
  /** Most characters of one string shown. */
  maxString?: number;
}

interface Budget {
  nodes: number;
}

export function summarize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (value !== null && typeof value === 'object') {
    const n = Object.keys(value).length;
    return `{${n} key${n === 1 ? '' : 's'}}`;
  }
  return scalarText(value, 80);
}

/** A scalar as JSON would write it (strings quoted and escaped), cut at `max` characters. */
export function scalarText(value: unknown, max: number): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else if (typeof value === 'bigint') text = `${value}n`;
  else text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function scalarClass(value: unknown): string {
  if (value === null || value === undefined) return 'json-null';
  switch (typeof value) {
    case 'string':
      return 'json-string';
    case 'number':
    case 'bigint':
      return 'json-number';
    case 'boolean':
      return 'json-boolean';
    default:
      return 'json-other';
  }
}

export function renderJsonTree(value: unknown, options: JsonTreeOptions = {}): HTMLElement {
  const budget: Budget = { nodes: options.maxNodes ?? 1500 };
  const root = el('div', { class: 'json-tree' });
  const entries = entriesOf(value);
  if (entries === null) {
    root.appendChild(scalarNode(value, options.maxString ?? 2000));
    return root;
  }
  if (entries.length === 0) {
    root.appendChild(el('span', { class: 'json-empty', text: Array.isArray(value) ? '[] (empty)' : '{} (empty)' }));
    return root;
  }
  renderEntries(root, entries, 0, options, budget);
  return root;
}

function entriesOf(value: unknown): [string, unknown][] | null {
  if (Array.isArray(value)) return value.map((item, i) => [String(i), item]);
  if (value !== null && typeof value === 'object') return Object.entries(value as Record<string, unknown>);
  return null;
}

function scalarNode(value: unknown, maxString: number): HTMLElement {
  const text = scalarText(value, maxString);
  return el('span', { class: ['json-value', scalarClass(value), text.includes('\\n') ? 'json-multiline' : null], text });
}

function renderEntries(parent: HTMLElement, entries: [string, unknown][], depth: number, options: JsonTreeOptions, budget: Budget): void {
  for (let k = 0; k < entries.length; k++) {
    if (budget.nodes <= 0) {
      parent.appendChild(el('div', { class: 'json-more', text: l10n.t('… {0} more (copy the event as JSON to see everything)', entries.length - k) }));
      return;
    }
    budget.nodes--;
    const [key, value] = entries[k]!;
    const children = entriesOf(value);
    if (children === null || children.length === 0) {
      parent.appendChild(
        el(
          'div',
          { class: 'json-entry' },
          el('span', { class: 'json-key', text: key }),
          el('span', { class: 'json-colon', text: ': ' }),
          children === null ? scalarNode(value, options.maxString ?? 2000) : el('span', { class: 'json-empty', text: Array.isArray(value) ? '[]' : '{}' }),
        ),
      );
      continue;
    }
    const details = el('details', { class: 'json-node' });
    if (depth < (options.openDepth ?? 1) && children.length <= 20) details.open = true;
    details.appendChild(
      el('summary', { class: 'json-summary' }, el('span', { class: 'json-key', text: key }), el('span', { class: 'json-colon', text: ': ' }), el('span', { class: 'json-count', text: summarize(value) })),
    );
    const body = el('div', { class: 'json-children' });
    // Children are built when first opened: a closed node costs one summary.
    const build = () => {
      if (body.childElementCount === 0) renderEntries(body, children, depth + 1, options, budget);
    };
    if (details.open) build();
    else details.addEventListener('toggle', build, { once: true });
    details.appendChild(body);
    parent.appendChild(details);
  }
}
