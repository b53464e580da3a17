// Lint config: recommended rules for TypeScript; the emitted .js files are not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '**/*.js', '!eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // a function reads at once: none over 80 lines in the code that runs
    files: ['lib/**/*.ts', 'scripts/**/*.ts', 'collectors/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
);
