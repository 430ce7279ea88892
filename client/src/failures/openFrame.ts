/** A traceback frame clicked in the timeline: found in the backend's `failures/job` answer and opened where it maps. */
import * as vscode from 'vscode';
import type { BackendClient } from '../backend/backendClient';
import { errorText } from '../util/format';
import { FailuresJobRequest, type FailureSite } from '../../../server/src/protocol/protocol';

/** Opens a mapped workspace file with the cursor on the raising line. */
export async function openSite(site: FailureSite): Promise<void> {
  const position = new vscode.Position(site.line, site.character);
  await vscode.window.showTextDocument(vscode.Uri.parse(site.uri), { selection: new vscode.Range(position, position), preview: false });
}

export async function openFrame(backend: BackendClient, jobId: string, frame: { file: string; line: number }): Promise<void> {
  try {
    const job = await backend.request(FailuresJobRequest.type, { jobId });
    const site = job?.frames.find((f) => f.file === frame.file && f.line === frame.line)?.mapped;
    if (site) await openSite(site);
    else void vscode.window.showInformationMessage(vscode.l10n.t('NAQ: {0}, line {1} is not a file of this workspace (see naq.pathMappings).', frame.file, frame.line));
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('NAQ: the frame could not be opened: {0}', errorText(error)));
  }
}
