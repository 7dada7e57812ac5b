/** The texts secrel writes on GitLab, built from the playbook and the release state. */
export * from './follow-ups.js';
export * from './format.js';
export * from './lessons-learned.js';
export * from './living-section.js';
export * from './mentions.js';
export * from './owner-comments.js';
export * from './release-issue.js';
