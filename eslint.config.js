// Lint keeps the process boundaries (see README "Architecture"):
// only src-main/electron imports electron; src-shared imports no node:*, electron or DOM;
// raw IPC / WebSocket only in the transports (src-main/electron, src-main/web, src-renderer/api).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const electronBan = { name: 'electron', message: 'Only src-main/electron/ may import electron.' };
const wsBan = { name: 'ws', message: 'Raw WebSocket only in the transports (src-main/web).' };

export default tseslint.config(
  { ignores: ['build/**', 'dist-app/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,cts,mts}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='ipcRenderer']", message: 'Raw IPC only in the preload.' },
      ],
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan, wsBan, { name: 'react', message: 'src-shared is UI-free.' }],
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto'], message: 'src-shared runs in every process: no Node built-ins.' },
            { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared depends on nothing else in the project.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src-main/**/*.ts', 'src-main/**/*.cts'],
    ignores: ['src-main/electron/**'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan], patterns: [{ group: ['**/src-renderer/**'], message: 'Main never imports renderer code.' }] },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/electron/**', 'src-main/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan, wsBan], patterns: [{ group: ['**/src-renderer/**'], message: 'Main never imports renderer code.' }] },
      ],
    },
  },
  {
    files: ['src-main/electron/**/*.{ts,cts}'],
    languageOptions: { globals: globals.node },
  },
  {
    // The preload is the one place raw IPC belongs.
    files: ['src-main/electron/preload.cts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    ignores: ['src-renderer/vite.config.ts'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronBan, wsBan],
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node.' },
            { group: ['**/src-main/**'], message: 'The renderer reaches main only through the contract (src-renderer/api).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    ignores: ['src-renderer/api/**', 'src-renderer/vite.config.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'WebSocket', message: 'Talk to main through src-renderer/api (the one transport).' },
      ],
    },
  },
  {
    files: ['tests/**/*.{ts,tsx}', 'scripts/**/*.{ts,mjs,js}', 'bench/**/*.{ts,mjs,js}', '*.js', '*.ts', 'src-renderer/vite.config.ts'],
    languageOptions: { globals: globals.node },
    rules: { 'no-restricted-imports': ['error', { paths: [electronBan] }] },
  },
);
