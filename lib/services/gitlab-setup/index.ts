/** Checking and setting up the GitLab side: `secrel connect` and `/secrel start`'s preflight. */
export { type CheckOptions, checkGitLabSetup } from './check.js';
export { type ConnectOptions, connectGitLab } from './connect-gitlab.js';
export type * from './report.js';
export { startSetupComment } from './start-check.js';
