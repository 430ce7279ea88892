/**
 * The in-editor suite's entry: the extension host requires the bundle of this file (see
 * extensionTestsPath) and calls run(). Bundle it with
 *   esbuild test/editor/index.ts --bundle --platform=node --external:vscode --format=cjs --outfile=dist/test/editor/index.js
 * Each *.test.ts imported here registers its tests.
 */
import './extension.test';
import './client.units.test';
import './client.commands.test';
import './client.stream.test';
import './client.settings.test';
import './client.views.test';
import './client.restart.test';
import { runRegisteredTests } from './runner';

export function run(): Promise<void> {
  return runRegisteredTests();
}
