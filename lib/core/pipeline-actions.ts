import type { ActionKind } from './types/playbook.js';

/**
 * Actions done by a GitLab pipeline (packages, Docker images, code, GitHost): secrel starts the
 * pipeline, and the state machine waits on the action's `pipeline:` gate until its webhook says it
 * finished.
 */
export const PIPELINE_ACTIONS: readonly ActionKind[] = [
  'build-test-packages',
  'build-packages',
  'publish-packages',
  'publish-docker',
  'publish-code',
  'update-githost',
];
