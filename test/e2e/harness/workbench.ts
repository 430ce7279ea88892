import { FrameLocator, Locator, Page } from 'playwright-core';
import { withTimeout } from './waits';

/**
 * Finding things in VS Code's workbench the way a person does: by the names shown on screen.
 * Selectors follow the DOM of VS Code 1.100 (code-server 4.100.3).
 */

/** Attribute selector value for `text`: a CSS string (JSON's quoting is valid CSS for these). */
function cssString(text: string): string {
  return JSON.stringify(text);
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

/** Waits for `locator` to be visible; on timeout the error says what was awaited. */
export async function waitForVisible(locator: Locator, timeoutMs: number, what: string): Promise<Locator> {
  try {
    await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (error) {
    throw new Error(`${what} not visible within ${timeoutMs} ms`, { cause: error });
  }
  return locator;
}

/**
 * The activity-bar item whose label is `label` (a view container's title). Its aria-label has the
 * keybinding appended for built-in ones, as in "Explorer (Ctrl+Shift+E)".
 */
export function activityBarItem(page: Page, label: string): Locator {
  const link = page.locator(`a.action-label[aria-label=${cssString(label)}], a.action-label[aria-label^=${cssString(`${label} (`)}]`);
  return page.locator('.part.activitybar li.action-item').filter({ has: link });
}

/**
 * Shows the view container `label` in the side bar. Clicking an item that is already selected
 * would hide the side bar instead, so a selected item is left alone.
 */
export async function openViewContainer(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const item = await waitForVisible(activityBarItem(page, label), timeoutMs, `activity-bar item "${label}"`);
  if ((await item.getAttribute('aria-selected', { timeout: timeoutMs })) !== 'true') await item.click({ timeout: timeoutMs });
  await waitForVisible(item.and(page.locator('[aria-selected="true"]')), timeoutMs, `view container "${label}" selected`);
}

/** Tree rows (custom views, Explorer) whose text contains `text`, or equals it with `exact`. */
export function treeItem(scope: Page | Locator, text: string, options: { exact?: boolean } = {}): Locator {
  return scope.locator('.monaco-list-row[role="treeitem"]').filter({ hasText: options.exact ? exactly(text) : text });
}

/**
 * Runs a command by its title as shown in the command palette (with its category, e.g.
 * "NAQ: Refresh"): F1, type the title, pick the row whose label is exactly that title.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await withTimeout(page.keyboard.press('F1'), timeoutMs, 'pressing F1');
  await waitForVisible(widget, timeoutMs, 'command palette');
  // F1 puts ">" in the box; fill() replaces it, so it is typed again.
  await widget.locator('input').fill(`>${title}`, { timeout: timeoutMs });
  const row = widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exactly(title) }) });
  await waitForVisible(row.first(), timeoutMs, `command "${title}" in the command palette`);
  await row.first().click({ timeout: timeoutMs });
  await widget.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** Notification toasts whose message contains `text`. */
export function notification(page: Page, text: string): Locator {
  return page.locator('.notification-toast .notification-list-item-message').filter({ hasText: text });
}

/**
 * The content of the webview shown in the editor area or a view. A webview is an iframe
 * (`iframe.webview`, VS Code's host page) around a second iframe holding the extension's HTML.
 * Use when one webview is visible; with several, Playwright's strict mode reports the ambiguity.
 */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview').frameLocator('iframe');
}
