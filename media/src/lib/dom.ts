/**
 * The only way the webview scripts build DOM: every piece of content goes in as text. There is no
 * `innerHTML` anywhere; attributes are set by name, never `on*` handlers or `style` (CSP forbids
 * inline styles; set `element.style` properties instead).
 */

export interface ElementOptions {
  class?: string | (string | false | null | undefined)[];
  text?: string;
  attrs?: Record<string, string | number | boolean | null | undefined>;
}

export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.class) {
    const classes = Array.isArray(options.class) ? options.class.filter((c): c is string => !!c) : [options.class];
    if (classes.length) node.className = classes.join(' ');
  }
  if (options.text !== undefined) node.textContent = options.text;
  if (options.attrs) setAttrs(node, options.attrs);
  append(node, ...children);
  return node;
}

export function setAttrs(node: Element, attrs: Record<string, string | number | boolean | null | undefined>): void {
  for (const [name, value] of Object.entries(attrs)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') throw new Error(`refusing to set attribute '${name}'`);
    if (value === null || value === undefined || value === false) node.removeAttribute(name);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A codicon: `<span class="codicon codicon-NAME" aria-hidden="true">`. */
export function icon(name: string, extra?: string): HTMLSpanElement {
  return el('span', { class: ['codicon', `codicon-${name}`, extra], attrs: { 'aria-hidden': 'true' } });
}

/** A toolbar button with a codicon and an accessible label (shown as text unless `iconOnly`). */
export function button(
  iconName: string | null,
  label: string,
  onClick: (event: MouseEvent) => void,
  options: { iconOnly?: boolean; class?: string; title?: string } = {},
): HTMLButtonElement {
  const node = el(
    'button',
    { class: ['button', options.iconOnly ? 'icon-button' : null, options.class], attrs: { type: 'button', title: options.title ?? label } },
    iconName ? icon(iconName) : null,
    options.iconOnly ? null : el('span', { class: 'button-label', text: label }),
  );
  if (options.iconOnly) node.setAttribute('aria-label', label);
  node.addEventListener('click', onClick);
  return node;
}

let idCounter = 0;
export function uniqueId(prefix: string): string {
  idCounter++;
  return `${prefix}-${idCounter}`;
}

/**
 * A worker or queue name after its icon; the word is in the tooltip and, unless `spoken` is false
 * (the row's own label says it), for screen readers.
 */
export function contextChip(iconName: string, label: string, value: string, className: string, spoken = true): HTMLSpanElement {
  const word = spoken ? el('span', { class: 'visually-hidden', text: `${label} ` }) : null;
  return el('span', { class: [className, 'muted', 'context-chip'], attrs: { title: `${label} ${value}` } }, icon(iconName), word, value);
}
