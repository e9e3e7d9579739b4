// eslint.config.js keeps the pure parts of the control plane pure: functions/core and
// functions/specs may import no I/O, no client library, no web framework and no DuckDB.
import tseslint from 'typescript-eslint';

const ioModules = [
  '@kubernetes/client-node', '@aws-sdk/*', '@duckdb/*', 'express', 'cloudevents', 'pino',
  'node:fs', 'node:fs/*', 'fs', 'fs/*', 'node:net', 'node:http', 'node:https', 'node:child_process',
  'http', 'https', 'net', 'child_process', 'fs-ext', 's3rver',
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.featherman/**', 'charts/**', 'tmp/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['functions/core/**/*.ts', 'functions/specs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ioModules, message: 'functions/core and functions/specs are pure: no I/O imports (see DESIGN.md §3).' },
          { group: ['**/adapters/**', '**/handlers/**', '**/runner/**', '**/local/**'], message: 'functions/core and functions/specs may not import adapters, handlers, the runner or local mode.' },
        ],
      }],
    },
  },
);
