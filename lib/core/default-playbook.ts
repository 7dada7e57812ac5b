import type { ActionKind, Phase, PhaseId, Playbook, Signal, Task } from './types/playbook.js';

/**
 * The seed process (Critical Security Release Process) as data: every bullet is one task.
 * The release issue's checklist, the dashboard, the reminders and the gates all derive from it.
 */

const PHASES: readonly Phase[] = [
  // First steps have no fixed start; they must be done before Day one begins.
  { id: 'first-steps', title: 'First steps', start: null, cutoff: { dayOffset: 0, time: '00:00' } },
  {
    id: 'day-one',
    title: 'Day one',
    start: { dayOffset: 0, time: '00:00' },
    cutoff: { dayOffset: 0, time: '23:59' },
  },
  {
    id: 'day-two',
    title: 'Day two',
    start: { dayOffset: 1, time: '00:00' },
    cutoff: { dayOffset: 1, time: '23:59' },
  },
  {
    id: 'day-three',
    title: 'Day three',
    start: { dayOffset: 2, time: '00:00' },
    cutoff: { dayOffset: 2, time: '23:59' },
  },
  {
    id: 'day-four-noon',
    title: 'Day four before 12:00 UTC',
    start: { dayOffset: 3, time: '00:00' },
    cutoff: { dayOffset: 3, time: '12:00' },
  },
  {
    id: 'day-four-end',
    title: 'Day four before 23:59 UTC',
    start: { dayOffset: 3, time: '12:00' },
    cutoff: { dayOffset: 3, time: '23:59' },
  },
  // The seed gives no date for the write-up; a week after publication keeps the memory fresh.
  {
    id: 'afterwards',
    title: 'Afterwards',
    start: { dayOffset: 3, time: '23:59' },
    cutoff: { dayOffset: 10, time: '23:59' },
  },
];

const t = (
  phase: PhaseId,
  id: string,
  text: string,
  owners: Task['owners'],
  completion: Task['completion'],
  extra: Partial<Pick<Task, 'scope' | 'stage' | 'needs' | 'provenBy'>> = {},
): Task => ({ id, text, phase, owners, completion, scope: extra.scope ?? 'release', ...extra });

const manual = { kind: 'manual' } as const;
const auto = (action: ActionKind) => ({ kind: 'automated', action }) as const;
const observed = (signal: Signal) => ({ kind: 'observed', signal }) as const;

// The seed names no owner for First steps; these are the roles that do this work in practice.
const TASKS: readonly Task[] = [
  t(
    'first-steps',
    'vulnerability-issue',
    'Create a confidential issue for diagnosing, discussing, and mitigating the vulnerability in the GitLab CE repository.',
    ['security lead'],
    observed('release-labelled'),
  ),
  t(
    'first-steps',
    'release-issue',
    'Create a confidential issue for the release (using the rest of this document as a rough template). Include a reference to the vulnerability issue and merge request when it exists. This issue should include information on which releases are vulnerable and which will receive a patch.',
    ['security lead'],
    auto('create-release-issue'),
  ),
  t(
    'first-steps',
    'patch-branch',
    'Branch off of the dev CE security branch for pushing patches.',
    ['dev team'],
    auto('create-patch-branch'),
  ),
  t(
    'first-steps',
    'draft-mr',
    'Create a Work-In-Progress merge request assigned to the release manager for the current release.',
    ['dev team'],
    auto('create-draft-mr'),
  ),
  t(
    'first-steps',
    'mitigation',
    'Install mitigation for GitLab.com, GitHost.io (if possible) and any other vulnerable infrastructure hosts, create an issue in infrastructure describing the mitigation and impact.',
    ['infrastructure'],
    auto('create-mitigation-issue'),
  ),

  t(
    'day-one',
    'merge-patches',
    'Merge all patches to dev.gitlab.org',
    ['dev team'],
    observed('security-mrs-merged'),
  ),
  t(
    'day-one',
    'fix-build-failures',
    'Fix build failures',
    ['release managers'],
    observed('security-pipelines-green'),
  ),
  t('day-one', 'pre-announcement', 'Write pre-announcement security update', ['security lead'], manual),
  t(
    'day-one',
    'contact-package-maintainers',
    'Contact package maintainers about security announcement (e.g. GitSwarm, Debian, FreeBSD)',
    ['security lead'],
    manual,
  ),
  t('day-one', 'request-cve', 'Request pre-assigned CVE', ['security lead'], manual),

  t(
    'day-two',
    'cherry-pick',
    'Cherry-pick all patches to releases',
    ['release managers'],
    observed('backports-merged'),
    { scope: 'each-version' },
  ),
  t('day-two', 'validate-latest', 'Validate security fixes for 8.13', ['dev team'], manual, {
    scope: 'latest-version',
  }),
  t(
    'day-two',
    'private-blog-post',
    'Write private blog post (snippet) on dev.gitlab.org about security update, mitigation steps (include HAProxy/Apache/nginx workarounds):',
    ['security lead'],
    manual,
  ),
  t(
    'day-two',
    'pre-announcement-email',
    'Send pre-announcement e-mail to general security list and contacts',
    ['customer relations', 'marketing'],
    manual,
  ),

  t(
    'day-three',
    'blog-announcement',
    'Post blog post security announcement. Branch off of dev www repository and then merge to prod www',
    ['security lead'],
    manual,
  ),
  t(
    'day-three',
    'build-test-packages',
    'Build test packages for staging, GitLab.com',
    ['release managers'],
    auto('build-test-packages'),
  ),
  t('day-three', 'deploy-staging', 'Deploy to staging', ['release managers'], observed('deployed-staging')),
  t(
    'day-three',
    'deploy-gitlab-com',
    'Deploy to GitLab.com',
    ['infrastructure'],
    observed('deployed-production'),
  ),
  t(
    'day-three',
    'build-packages',
    'Build packages for all versions to private PackageCloud package repository',
    ['packaging team'],
    auto('build-packages'),
    // A version's packages are built as soon as that version's fix is merged, not when all are.
    { scope: 'each-version', needs: 'fix-merged' },
  ),
  t('day-three', 'blog-post-cve', 'Write blog post with CVE number', ['security lead'], manual),
  t(
    'day-three',
    'remove-mitigation',
    'Remove mitigation from infrastructure hosts and close issue.',
    ['infrastructure'],
    observed('mitigation-issue-closed'),
  ),

  t(
    'day-four-noon',
    'validate-all',
    'Validate security fixes for all releases',
    ['dev team', 'security lead'],
    manual,
    { scope: 'each-version' },
  ),
  t('day-four-noon', 'write-cve-notice', 'Write CVE notice for CVE-ID provider', ['security lead'], manual),

  t(
    'day-four-end',
    'publish-packages',
    'Publish security packages to public',
    ['packaging team'],
    auto('publish-packages'),
    { scope: 'each-version', stage: 'publish' },
  ),
  t(
    'day-four-end',
    'publish-docker',
    'Publish latest security Docker images',
    ['packaging team'],
    auto('publish-docker'),
    { scope: 'each-version', stage: 'publish' },
  ),
  t(
    'day-four-end',
    'update-githost',
    'Update GitHost.io',
    ['githost', 'infrastructure'],
    auto('update-githost'),
    {
      stage: 'publish',
    },
  ),
  t(
    'day-four-end',
    'publish-code',
    'Publish latest code to GitLab.com',
    ['release managers'],
    auto('publish-code'),
    { stage: 'publish', provenBy: 'tag' },
  ),
  t('day-four-end', 'send-cve-notice', 'Send CVE notice to CVE-ID provider', ['security lead'], manual, {
    stage: 'disclose',
  }),
  t(
    'day-four-end',
    'version-entries',
    'Add version.gitlab.com entries',
    ['release managers'],
    auto('add-version-entries'),
    { scope: 'each-version', stage: 'publish' },
  ),
  t('day-four-end', 'publish-blog-post', 'Publish blog post', ['marketing'], manual, { stage: 'disclose' }),
  t('day-four-end', 'email-tweet', 'Email, Tweet, etc.', ['marketing'], manual, { stage: 'disclose' }),
  t(
    'day-four-end',
    'update-acknowledgements',
    'Update vulnerability acknowledgements',
    ['security lead'],
    auto('update-acknowledgements'),
    { stage: 'disclose' },
  ),
  t(
    'day-four-end',
    'lift-confidentiality',
    'Remove confidentiality from disclosure issues.',
    ['security lead'],
    auto('lift-confidentiality'),
    { stage: 'disclose' },
  ),
  t(
    'day-four-end',
    'thank-reporters',
    'Follow-up with disclosure reports to inform/thank security researchers',
    ['security lead'],
    auto('thank-reporters'),
    { stage: 'disclose' },
  ),
  t(
    'day-four-end',
    'approve-disclosure',
    'Approve request(s) for disclosure on HackerOne',
    ['security lead'],
    // HackerOne documents no API call to approve a disclosure request: the security lead does it.
    manual,
    { stage: 'disclose' },
  ),

  t(
    'afterwards',
    'lessons-learned',
    '"Lessons learned" writeup / blog post.',
    ['security lead'],
    auto('open-lessons-learned'),
  ),
];

/** The default playbook: the seed process. */
export const DEFAULT_PLAYBOOK: Playbook = { phases: PHASES, tasks: TASKS };
