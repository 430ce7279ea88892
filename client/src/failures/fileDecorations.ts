/** Explorer badges on the workspace files that hold raise sites: the failure count, from the Failures view's list. */
import * as vscode from 'vscode';
import type { FailureSignatureItem } from '../../../server/src/protocol/protocol';
import { counted } from '../util/format';

export class FailureDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private counts = new Map<string, number>();

  update(signatures: readonly FailureSignatureItem[]): void {
    const next = new Map<string, number>();
    for (const signature of signatures) {
      if (signature.site) next.set(signature.site.uri, (next.get(signature.site.uri) ?? 0) + signature.count);
    }
    const touched = new Set([...this.counts.keys(), ...next.keys()]);
    this.counts = next;
    if (touched.size) this.changed.fire([...touched].map((uri) => vscode.Uri.parse(uri)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const count = this.counts.get(uri.toString());
    if (!count) return undefined;
    return {
      badge: count > 99 ? '99+' : String(count),
      tooltip: counted(count, vscode.l10n.t('1 job failure raised here'), (n) => vscode.l10n.t('{0} job failures raised here', n)),
      color: new vscode.ThemeColor('list.errorForeground'),
    };
  }

  dispose(): void {
    this.changed.dispose();
  }
}
