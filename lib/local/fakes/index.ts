/**
 * The fake outside systems for tests and the rehearsal: GitLab (API and webhooks), the version
 * server, HackerOne and Slack. Each listens on 127.0.0.1 and records what it receives.
 */

export { FakeHackerOne, startFakeHackerOne } from './fake-hackerone.js';
export { FakeSlack, startFakeSlack } from './fake-slack.js';
export { FakeVersionServer, startFakeVersionServer } from './fake-version-server.js';
export {
  FAKE_GITLAB_TOKEN,
  FakeGitLab,
  type FakeGitLabOptions,
  startFakeGitLab,
} from './gitlab/fake-gitlab.js';
export * from './gitlab/hook-payloads.js';
export * from './gitlab/merge-request-payloads.js';
export * from './gitlab/pipeline-payloads.js';
export type { PipelineOutcome, PipelinePolicy } from './gitlab/pipeline-scheduler.js';
export type {
  FakeBranch,
  FakeIssue,
  FakeMergeRequest,
  FakeNote,
  FakePipeline,
  FakeProject,
} from './gitlab/state.js';
export type { PlannedFailure, RecordedCall } from './http.js';
export type { DeliveryOptions, WebhookDelivery } from './webhook-sender.js';
