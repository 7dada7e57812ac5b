/** The DynamoDB release store: one table, keys and Queries only, one transaction per commit. */
export { createDocumentClient, createDynamoClient, type DynamoClientOptions } from './client.js';
export { type EnsureTableOptions, ensureReleaseTable } from './create-table.js';
export { CommitTooLargeError, InvalidRevisionError, UnclaimedActionError } from './errors.js';
export { DynamoReleaseStore, type DynamoReleaseStoreOptions } from './store.js';
export { TABLE_LAYOUT } from './table-layout.js';
