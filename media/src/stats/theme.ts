/**
 * The charts' colours, read from the editor theme's CSS variables (canvas drawing cannot use
 * `var(...)` itself), and a watch that tells when the theme changed so the charts are drawn again.
 */
import type { ColorName } from './series';

export interface ChartTheme {
  series: Record<ColorName, string>;
  foreground: string;
  muted: string;
  grid: string;
  font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

export function readTheme(): ChartTheme {
  const style = getComputedStyle(document.body);
  const foreground = cssVar(style, '--vscode-foreground', '#cccccc');
  const muted = cssVar(style, '--vscode-descriptionForeground', foreground);
  return {
    series: {
      blue: cssVar(style, '--vscode-charts-blue', '#3794ff'),
      purple: cssVar(style, '--vscode-charts-purple', '#b180d7'),
      green: cssVar(style, '--vscode-charts-green', '#89d185'),
      red: cssVar(style, '--vscode-charts-red', '#f14c4c'),
      orange: cssVar(style, '--vscode-charts-orange', '#d18616'),
      yellow: cssVar(style, '--vscode-charts-yellow', '#cca700'),
      muted,
    },
    foreground,
    muted,
    grid: cssVar(style, '--vscode-editorWidget-border', cssVar(style, '--vscode-widget-border', 'rgba(128,128,128,0.35)')),
    font: `${cssVar(style, '--vscode-font-size', '12px')} ${cssVar(style, '--vscode-font-family', 'sans-serif')}`,
  };
}

/**
 * Calls `changed` when the theme changes: VS Code swaps the body's theme class and rewrites the
 * variables in the root element's style attribute.
 */
export function watchTheme(changed: () => void): void {
  let last = JSON.stringify(readTheme());
  const observer = new MutationObserver(() => {
    const now = JSON.stringify(readTheme());
    if (now === last) return;
    last = now;
    changed();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
}
