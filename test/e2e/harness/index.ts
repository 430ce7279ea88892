/** The real-editor test harness: code-server driven by Chromium. See withEditor for the usual entry. */
export { artifactsDirFor, saveArtifacts } from './artifacts';
export type { ArtifactSources } from './artifacts';
export { EditorBrowser, openWorkbench } from './browser';
export type { BrowserOptions } from './browser';
export { CodeServer } from './codeServer';
export type { CodeServerOptions } from './codeServer';
export { runEditorSuite } from './editorSuite';
export type { EditorSuiteOptions, EditorSuiteResult, EditorSuiteTarget, WindowLogFile } from './editorSuite';
export { repoRoot, testResultsDir } from './paths';
export { stopAll, TimeoutError, waitUntil, withTimeout } from './waits';
export type { PollOptions } from './waits';
export { withEditor } from './withEditor';
export type { EditorContext, EditorOptions, TestLike } from './withEditor';
export { activityBarItem, notification, openViewContainer, runCommand, treeItem, waitForVisible, webviewFrame } from './workbench';
export { extensionId, packagedExtension, staleReason, vsixPath } from './vsix';
