// `npm run lint`: ESLint's recommended rules over the console's sources, scripts and configs
// (browser + worker globals for the page, Node's for the build scripts). Not run by the Python
// test suite, which must not need Node.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist-baseline/**', 'node_modules/**'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js', 'baseline/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['scripts/**/*.mjs', '*.config.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
];
