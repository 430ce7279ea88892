/**
 * The HTML shell every webview of this extension loads: a strict Content-Security-Policy, one
 * nonce'd script, stylesheets from `dist/media`, nothing inline. Pure: no `vscode` import, so it is
 * unit-tested as is; `panel.ts` feeds it the webview's URIs.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce per page load: 144 random bits, base64url (valid in a CSP nonce-source). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
}

export interface ShellParts {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  title: string;
  /** `asWebviewUri` strings. */
  scriptUri: string;
  styleUris: string[];
  /** Which view the page is: set as `data-view` on `<body>`. */
  view: string;
  /** The translation bundle as JSON, set as `data-l10n` on `<body>`; absent for English (media/src/lib/l10n.ts). */
  l10nBundle?: string;
}

export function renderShell(parts: ShellParts): string {
  const styles = parts.styleUris.map((uri) => `    <link rel="stylesheet" href="${escapeHtml(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body data-view="${escapeHtml(parts.view)}"${parts.l10nBundle === undefined ? '' : ` data-l10n="${escapeHtml(parts.l10nBundle)}"`}>
    <div id="app" class="app"></div>
    <script nonce="${escapeHtml(parts.nonce)}" src="${escapeHtml(parts.scriptUri)}"></script>
  </body>
</html>`;
}
