import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', 'test-results/**', 'out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    // The programs that make the traceback corpus run under plain Node.
    files: ['*.mjs', 'test/fixtures/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The protocol follows the language-server idiom: one namespace per message, holding its typed `type`.
    files: ['server/src/protocol/**'],
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    // The protocol is the boundary: the extension host and the webviews reach the backend only through the
    // protocol and the pure modules in server/src/shared (no Node-only, nats or credential code in their bundles).
    files: ['client/src/**', 'media/src/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: 'server/src/(?!(protocol|shared)/[^/]+$)',
          message: 'client/ and media/ import only server/src/protocol and server/src/shared (issue 14: the protocol is the boundary).',
        }],
      }],
    },
  },
);
