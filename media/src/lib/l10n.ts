/**
 * Gives this page's `@vscode/l10n` the translation bundle the extension passed in `data-l10n` on
 * `<body>` (client/src/util/l10n.ts), before the page's first `l10n.t`: every page script imports
 * this module. Without the attribute (English) `l10n.t` returns its message as written.
 */
import * as l10n from '@vscode/l10n';

const bundle = document.body.dataset.l10n;
if (bundle) {
  try {
    l10n.config({ contents: JSON.parse(bundle) as Record<string, string> });
  } catch {
    // A malformed bundle must not take the page down: it shows its English texts.
  }
}
