/**
 * Steps of the "Get started with NAQ" walkthrough that tick themselves when their outcome exists, not
 * when their command starts: a step completed by `onCommand` makes the walkthrough select the next
 * step at once, which takes the focus and closes the quick input the command has just opened.
 */
import * as vscode from 'vscode';

/** Context keys named in `package.json`'s walkthrough as `onContext:naq.walkthrough.<outcome>`. */
export type WalkthroughOutcome = 'lifecycleEmitted' | 'timelineOpened';

export function walkthroughOutcome(outcome: WalkthroughOutcome): void {
  void vscode.commands.executeCommand('setContext', `naq.walkthrough.${outcome}`, true);
}
