/**
 * `npm run test:faults` (scripts/faults.sh): the fault-injection suite in
 * test/faults, on its own. Same transform and globalSetup as jest.config.js
 * (PostgreSQL, the shared broker, the migrated template); the scenarios that
 * restart a broker or PostgreSQL start their own second one. The *.test.ts
 * files here also run in `npm test` (cheap sizes); the *.faults.ts files only
 * here. See docs/fault-injection.md.
 */
const base = require('./jest.config');

// The 4-instance test runs at its full size here (2,000 orders in npm test).
process.env.FAULT_FOUR_ORDERS ??= '10000';

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.faults.ts', '<rootDir>/test/faults/**/*.test.ts'],
  testTimeout: 600000,
};
