// Three test tiers, told apart by file suffix:
//   *.spec.ts      pure logic, no infrastructure               (npm run test:unit)
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

/** @type {import('jest').Config} */
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], slowTestThreshold: 30 },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'], slowTestThreshold: 60 },
  ],
};
