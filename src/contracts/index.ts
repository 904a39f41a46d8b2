/** The wire contract as code: see docs/contract.md and docs/contract/. */
export * from './topics';
export * from './envelope';
export * from './inbound';
export * from './outbound';
export * from './parse';
export { renderContractDocs, CONTRACT_VERSION, CONTRACT_DOCS_DIR } from './docs';
export { MAX_ID, MAX_LINES, MAX_QUANTITY } from './primitives';
