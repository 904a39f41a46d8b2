/**
 * `npm run test:faults`: the fault-injection suite (test/faults), on its own.
 * Same transform and globalSetup as jest.config.js (PostgreSQL, the shared
 * broker, the migrated template); the scenarios start their own second broker
 * and PostgreSQL where they restart one. See docs/fault-injection.md.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.faults.ts', '<rootDir>/test/faults/**/*.test.ts'],
  testTimeout: 600000,
};
