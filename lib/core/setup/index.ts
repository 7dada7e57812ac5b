/** The pure rules of `secrel connect`: secrel's hook, the branch mapping, access levels, problems. */
export * from './access.js';
export * from './branches.js';
export * from './hook.js';
export * from './problems.js';
