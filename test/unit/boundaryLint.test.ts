import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The boundary rule's findings for `source` linted as if it were the file at `file` (relative to the root). */
async function boundaryMessages(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('the client may not import a server internal', async () => {
  const messages = await boundaryMessages(
    'client/src/commands/boundaryFixture.ts',
    "import { ContextStore } from '../../../server/src/config/natsContext';\nexport const store = ContextStore;\n",
  );
  assert.equal(messages.length, 1);
  assert.match(messages[0], /import only server\/src\/protocol and server\/src\/shared/);
});

test('a webview may not import a server internal, even a type', async () => {
  const messages = await boundaryMessages(
    'media/src/timeline/boundaryFixture.ts',
    "import type { JobEvent } from '../../../server/src/model/event';\nexport type E = JobEvent;\n",
  );
  assert.equal(messages.length, 1);
});

test('a shared module nested below shared/ or protocol/ is not a loophole', async () => {
  const messages = await boundaryMessages(
    'client/src/commands/boundaryFixture.ts',
    "export * from '../../../server/src/shared/../config/natsContext';\nexport * from '../../../server/src/protocol/x/y';\n",
  );
  assert.equal(messages.length, 2);
});

test('the protocol and the shared modules are allowed', async () => {
  const messages = await boundaryMessages(
    'client/src/commands/boundaryFixture.ts',
    "import { ListContextsRequest } from '../../../server/src/protocol/protocol';\n"
      + "import { isFailureType } from '../../../server/src/shared/events';\n"
      + 'export const used = [ListContextsRequest, isFailureType];\n',
  );
  assert.deepEqual(messages, []);
});

test('the server itself is not restricted', async () => {
  const messages = await boundaryMessages(
    'server/src/backend/boundaryFixture.ts',
    "import { parseServerUrl } from '../config/serverUrls';\nexport const parse = parseServerUrl;\n",
  );
  assert.deepEqual(messages, []);
});
