import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Who may import whom, by the tags in each project.json. */
const boundaries = ({ testCode }) => {
  const support = testCode ? ['type:test-support'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', ...support] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', ...support] },
      { sourceTag: 'type:test-support', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:test-support'] },
    ],
  };
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '.nx/**', 'coverage/**'] },
  js.configs.recommended,
  { languageOptions: { globals: globals.node } },
  // Scripts that a browser runs as they are: the order service's saga page.
  { files: ['apps/*/src/live/**/*.js'], languageOptions: { globals: globals.browser } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // The architecture as a build error (tags in each project.json): contracts import nothing of ours; libraries
      // import contracts and other libraries (a cycle is an error too); apps import libraries, never each other;
      // test support reaches no production code.
      '@nx/enforce-module-boundaries': ['error', boundaries({ testCode: false })],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may also use the test support library.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'e2e/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ testCode: true })] },
  },
  {
    // A domain is pure decisions: no framework, database or broker, and of our libraries only the contracts.
    files: ['apps/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'kafkajs', 'pg', 'rxjs', '@saga/*', '!@saga/events', 'node:*'],
              message: 'domain/ holds pure decisions: take what they need as arguments, import only @saga/events.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
