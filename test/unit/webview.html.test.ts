import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, escapeHtml, makeNonce, renderShell } from '../../client/src/webview/html';

const source = 'https://file+.vscode-resource.vscode-cdn.net';

test('the CSP allows nothing but our own assets and one nonce', () => {
  assert.equal(
    contentSecurityPolicy(source, 'abc'),
    `default-src 'none'; style-src ${source}; font-src ${source}; img-src ${source}; script-src 'nonce-abc'`,
  );
});

test('a nonce is fresh, long and safe in a CSP', () => {
  const nonces = new Set(Array.from({ length: 200 }, () => makeNonce()));
  assert.equal(nonces.size, 200);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
});

test('the shell has one nonce-d script, no inline script or style', () => {
  const html = renderShell({ cspSource: source, nonce: 'N0nce', title: 'Job <x>', view: 'timeline', scriptUri: `${source}/dist/media/timeline.js`, styleUris: [`${source}/dist/media/codicon.css`, `${source}/dist/media/timeline.css`] });
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /<script nonce="N0nce" src="[^"]+timeline\.js"><\/script>/);
  assert.doesNotMatch(html, /style=/);
  assert.doesNotMatch(html, /<style/);
  assert.match(html, /<title>Job &lt;x&gt;<\/title>/);
  assert.match(html, /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  assert.equal(html.match(/rel="stylesheet"/g)?.length, 2);
});

test('the translation bundle rides in data-l10n, escaped, and is absent for English', () => {
  const parts = { cspSource: source, nonce: 'N0nce', title: 'Tail', view: 'tail', scriptUri: `${source}/dist/media/tail.js`, styleUris: [] };
  assert.doesNotMatch(renderShell(parts), /data-l10n/);
  const bundle = JSON.stringify({ Pause: 'Pause "<b>" & l\'arrêt' });
  const html = renderShell({ ...parts, l10nBundle: bundle });
  const attribute = /<body data-view="tail" data-l10n="([^"]*)">/.exec(html);
  assert.ok(attribute, html);
  assert.doesNotMatch(attribute[1]!, /[<>"']/);
  const decoded = attribute[1]!.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name]!);
  assert.equal(decoded, bundle);
});

test('escapeHtml escapes the five', () => {
  assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&`), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
});
