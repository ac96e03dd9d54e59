// Three test tiers, told apart by file suffix:
//   *.spec.ts      pure logic, no infrastructure               (npm run test:unit)
//                  (and tools/compose: compose.yaml checked against the apps' configuration)
//   *.int-spec.ts  one library against real Postgres and Kafka (npm run test:int)
//   e2e/**/*.e2e-spec.ts  the running services, end to end     (npm run test:e2e)
// The code is native ESM, so Jest runs in its ESM mode (node --experimental-vm-modules, see package.json).

/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  // Workspace libraries resolve to their TypeScript sources, as in the editor.
  testEnvironmentOptions: { customExportConditions: ['@saga/source', 'node', 'node-addons'] },
  // Sources import './x.js' (NodeNext); the file on disk is './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

/** Integration and e2e tests share one Kafka and one Postgres, started or found once per run. */
const withInfrastructure = {
  globalSetup: '<rootDir>/tools/jest/global-setup.ts',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.ts',
};

/** @type {import('jest').Config} */
export default {
  // Only the infrastructure tiers come near this; a unit test finishes in milliseconds or fails on its own.
  testTimeout: 60_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    {
      ...shared,
      ...withInfrastructure,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
    },
    { ...shared, ...withInfrastructure, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'] },
  ],
};
