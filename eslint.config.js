import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'tmp/', 'coverage/', 'dist/', 'src/platform/db/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', global: 'readonly', require: 'readonly', module: 'writable' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // the console's few lines of browser script
    files: ['public/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', FormData: 'readonly', URLSearchParams: 'readonly', DOMParser: 'readonly' } },
  },
  {
    // domain boundaries: platform imports no domain module; channels never import each other
    files: ['src/platform/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/catalog/**', '**/orders/**', '**/sms/**', '**/voice/**', '**/delivery/**', '**/console/**'], message: 'platform/ imports no domain module' }] }] },
  },
  {
    files: ['src/sms/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/voice/**'], message: 'channels never import each other' }] }] },
  },
  {
    files: ['src/voice/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/sms/**'], message: 'channels never import each other' }] }] },
  },
);
