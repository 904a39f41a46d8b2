/** Jest runs TypeScript through SWC: ts-jest does not support TypeScript 7. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 1,
  // A test that fails half-way can leave a Kafka client open; the run must still end (CI waits for it).
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
