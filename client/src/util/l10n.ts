/**
 * One translation bundle for every part of the extension. The modules that import `vscode` use
 * `vscode.l10n.t`; the pure ones (no `vscode` import, unit-tested as they are) and the webview pages
 * use `@vscode/l10n`, which knows nothing until it is given the bundle the editor loaded for its
 * display language. English has no bundle: then every `t` returns its message as written.
 */
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';

/** Gives the pure modules the editor's bundle; called once, first thing at activation. */
export function configurePureModules(): void {
  const bundle = vscode.l10n.bundle;
  if (bundle !== undefined) l10n.config({ contents: bundle });
}

/** The bundle as JSON for a webview page (its `data-l10n`), or undefined when there is none. */
export function webviewBundle(): string | undefined {
  const bundle = vscode.l10n.bundle;
  return bundle === undefined ? undefined : JSON.stringify(bundle);
}
