// ESLint 9 flat config (STYLE.md §13): @eslint/js recommended, eslint-plugin-vue flat/recommended,
// eslint-config-prettier last so that formatting is left to Prettier.
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.{js,mjs,vue}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser },
    },
    rules: {
      'no-console': 'error',
      'vue/no-v-html': 'error',
    },
  },
  {
    files: ['*.config.js', 'tests/**/*.js', '**/*.test.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
];
