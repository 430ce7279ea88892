/**
 * The webview pages as a browser sees them, outside the editor: every page built from media/ into a
 * temporary folder (as esbuild.mjs builds it), served under the real HTML shell (CSP, nonce) with a
 * stand-in for `acquireVsCodeApi` that keeps what the page posts (`window.__posted`), its saved state
 * (`window.__state`) and any CSP violation (`window.__violations`). For the browser tests and the bench.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import * as esbuild from 'esbuild';
import { makeNonce, renderShell } from '../../client/src/webview/html';

const ROOT = join(__dirname, '..', '..');

export class WebviewPages {
  private constructor(
    /** Saved state per view, handed to the page's `getState` on its next load. */
    readonly states: Map<string, unknown>,
    /** Translation bundle per view, given to the page in `data-l10n` as the extension does for a display language. */
    readonly bundles: Map<string, Record<string, string>>,
    private readonly out: string,
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(options: { minify?: boolean } = {}): Promise<WebviewPages> {
    const out = mkdtempSync(join(tmpdir(), 'naq-webview-'));
    await esbuild.build({
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: ['es2022', 'chrome120'],
      minify: options.minify ?? false,
      entryPoints: [
        ...readdirSync(join(ROOT, 'media/src')).filter((f) => f.endsWith('.ts')).map((f) => ({ in: join(ROOT, 'media/src', f), out: f.slice(0, -3) })),
        ...readdirSync(join(ROOT, 'media')).filter((f) => f.endsWith('.css') && f !== 'base.css').map((f) => ({ in: join(ROOT, 'media', f), out: f.slice(0, -4) })),
      ],
      outdir: out,
      logLevel: 'silent',
    });
    for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(join(ROOT, 'node_modules/@vscode/codicons/dist', file), join(out, file));
    const states = new Map<string, unknown>();
    const bundles = new Map<string, Record<string, string>>();
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const origin = `http://${req.headers.host ?? ''}`;
      if (path.startsWith('/page/')) {
        const view = path.slice('/page/'.length);
        const nonce = makeNonce();
        const shell = renderShell({
          cspSource: origin,
          nonce,
          title: view,
          view,
          scriptUri: `${origin}/media/${view}.js`,
          styleUris: [`${origin}/media/codicon.css`, `${origin}/media/${view}.css`],
          l10nBundle: bundles.has(view) ? JSON.stringify(bundles.get(view)) : undefined,
        });
        const fake = `<script nonce="${nonce}">
          window.__posted = []; window.__violations = []; window.__state = ${JSON.stringify(states.get(view) ?? null)};
          document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
          window.acquireVsCodeApi = () => ({
            postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
            getState: () => window.__state ?? undefined,
            setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
          });
        </script>`;
        res.writeHead(200, { 'content-type': 'text/html' }).end(shell.replace('<script nonce=', `${fake}\n<script nonce=`));
        return;
      }
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      const file = normalize(join(out, path.replace(/^\/media\//, '')));
      if (!file.startsWith(out) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const type = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' }[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new WebviewPages(states, bundles, out, server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  url(view: string): string {
    return `${this.origin}/page/${view}`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
    rmSync(this.out, { recursive: true, force: true });
  }
}
