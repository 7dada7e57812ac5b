import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYBOOK } from '../../lib/core/default-playbook.js';
import { findTask, phaseOf, tasksOf } from '../../lib/core/playbook-lookup.js';
import { parsePlaybook } from '../../lib/core/playbook-schema.js';
import type { PhaseId, Playbook, Role } from '../../lib/core/types/playbook.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const seedDir = path.resolve(repoRoot, '../shared/seed');
const seedFile = path.join(seedDir, '000_da4f4fa182cce746.txt');

/** One bullet of the seed: its heading, its wording without the owner note, and the owners it names. */
interface SeedBullet {
  readonly heading: string;
  readonly text: string;
  /** Owners named in the bullet, normalized to playbook roles; empty when the bullet names none. */
  readonly owners: readonly string[];
}

// The seed writes "(owner: x)", "(owners: x)" and once "(owner security lead)".
const OWNER_NOTE = /\s*\(owners?:?\s*([^()]*)\)\s*$/;

/** Turns the seed's owner phrase into playbook roles: "dev team and/or security lead" is both. */
function ownersOf(phrase: string): string[] {
  return phrase
    .split(/\s*(?:\/|\band\/or\b)\s*/)
    .map((owner) => owner.trim())
    .filter((owner) => owner.length > 0)
    .map((owner) => (owner === 'release manager' ? 'release managers' : owner))
    .sort();
}

/** Every `* ` bullet under every `### ` heading of the seed. */
function parseSeed(text: string): SeedBullet[] {
  const bullets: SeedBullet[] = [];
  let heading: string | undefined;
  for (const line of text.split('\n')) {
    const headingMatch = /^###\s+(.*?):?\s*$/.exec(line);
    if (headingMatch) {
      heading = headingMatch[1];
      continue;
    }
    const bulletMatch = /^\*\s+(.*?)\s*$/.exec(line);
    if (!bulletMatch || heading === undefined) continue;
    const raw = bulletMatch[1] ?? '';
    const note = OWNER_NOTE.exec(raw);
    bullets.push({
      heading,
      text: note ? raw.slice(0, note.index).trim() : raw,
      owners: note ? ownersOf(note[1] ?? '') : [],
    });
  }
  return bullets;
}

/** The seed's heading as the playbook titles it: "Day four (before 12:00 UTC)" -> "Day four before 12:00 UTC". */
function phaseForHeading(playbook: Playbook, heading: string): PhaseId | undefined {
  const title = heading.replace(/[()]/g, '').replace(/\s+/g, ' ').trim();
  return playbook.phases.find((phase) => phase.title === title)?.id;
}

/** Every way the playbook and the seed disagree, one line each; empty when they match. */
function coverageProblems(bullets: readonly SeedBullet[], playbook: Playbook): string[] {
  const problems: string[] = [];
  for (const bullet of bullets) {
    const phase = phaseForHeading(playbook, bullet.heading);
    if (!phase) problems.push(`heading "${bullet.heading}" has no phase with that title`);
    const matches = playbook.tasks.filter((task) => task.text === bullet.text);
    if (matches.length !== 1) {
      problems.push(`${matches.length} tasks read "${bullet.text}"`);
      continue;
    }
    const task = matches[0]!;
    if (task.phase !== phase)
      problems.push(`task ${task.id} is in ${task.phase}, the seed has it in ${phase}`);
    const owners = [...task.owners].sort();
    if (bullet.owners.length > 0 && owners.join(', ') !== bullet.owners.join(', ')) {
      problems.push(
        `task ${task.id} is owned by ${owners.join(', ')}, the seed says ${bullet.owners.join(', ')}`,
      );
    }
  }
  for (const task of playbook.tasks) {
    const bullet = bullets.find(
      (b) => b.text === task.text && phaseForHeading(playbook, b.heading) === task.phase,
    );
    if (!bullet) problems.push(`task ${task.id} is not a bullet of the seed under its phase`);
  }
  return problems;
}

describe.skipIf(!existsSync(seedFile))(
  'the default playbook covers the seed (skipped when /work/shared/seed is absent)',
  () => {
    const bullets = existsSync(seedFile) ? parseSeed(readFileSync(seedFile, 'utf8')) : [];

    it('reads 36 bullets under the seed headings, from First steps to Afterwards', () => {
      expect(bullets).toHaveLength(36);
      expect([...new Set(bullets.map((b) => b.heading))]).toEqual([
        'First steps',
        'Day one',
        'Day two',
        'Day three',
        'Day four (before 12:00 UTC)',
        'Day four (before 23:59 UTC)',
        'Afterwards',
      ]);
    });

    it('has exactly one task per bullet with the same wording, phase and owners, and no task beyond them', () => {
      expect(coverageProblems(bullets, DEFAULT_PLAYBOOK)).toEqual([]);
      expect(DEFAULT_PLAYBOOK.tasks).toHaveLength(bullets.length);
    });

    it('notices a dropped task, a task moved to another phase and a wrong owner', () => {
      const [first, second, ...rest] = DEFAULT_PLAYBOOK.tasks;
      const dropped = { ...DEFAULT_PLAYBOOK, tasks: [second!, ...rest] };
      expect(coverageProblems(bullets, dropped)).toContain(`0 tasks read "${first!.text}"`);

      const moved = {
        ...DEFAULT_PLAYBOOK,
        tasks: DEFAULT_PLAYBOOK.tasks.map((t) =>
          t.id === 'request-cve' ? { ...t, phase: 'day-two' as const } : t,
        ),
      };
      expect(coverageProblems(bullets, moved)).toContain(
        'task request-cve is in day-two, the seed has it in day-one',
      );

      const reowned = {
        ...DEFAULT_PLAYBOOK,
        tasks: DEFAULT_PLAYBOOK.tasks.map((t) =>
          t.id === 'validate-all' ? { ...t, owners: ['dev team'] satisfies Role[] } : t,
        ),
      };
      expect(coverageProblems(bullets, reowned)).toContain(
        'task validate-all is owned by dev team, the seed says dev team, security lead',
      );
    });

    it('reads the seed owner phrases as playbook roles', () => {
      const ownersOfTask = (text: string) => bullets.find((b) => b.text === text)?.owners;
      expect(ownersOfTask('Validate security fixes for all releases')).toEqual(['dev team', 'security lead']);
      expect(ownersOfTask('Update GitHost.io')).toEqual(['githost', 'infrastructure']);
      expect(ownersOfTask('Deploy to staging')).toEqual(['release managers']);
      expect(ownersOfTask('Approve request(s) for disclosure on HackerOne')).toEqual(['security lead']);
      expect(ownersOfTask('Send pre-announcement e-mail to general security list and contacts')).toEqual([
        'customer relations',
        'marketing',
      ]);
    });
  },
);

/** A team's own, shorter process: three phases, scope left to its default. */
const teamPlaybook = {
  phases: [
    {
      id: 'day-one',
      title: 'Patch day',
      start: { dayOffset: 0, time: '08:00' },
      cutoff: { dayOffset: 0, time: '18:00' },
    },
    {
      id: 'day-four-end',
      title: 'Publish',
      start: { dayOffset: 1, time: '08:00' },
      cutoff: { dayOffset: 1, time: '16:00' },
    },
    {
      id: 'afterwards',
      title: 'Retro',
      start: { dayOffset: 1, time: '16:00' },
      cutoff: { dayOffset: 7, time: '12:00' },
    },
  ],
  tasks: [
    {
      id: 'merge',
      text: 'Merge the fix',
      phase: 'day-one',
      owners: ['dev team'],
      completion: { kind: 'manual' },
    },
    {
      id: 'publish',
      text: 'Publish packages',
      phase: 'day-four-end',
      owners: ['packaging team'],
      completion: { kind: 'automated', action: 'publish-packages' },
      scope: 'each-version',
      stage: 'publish',
    },
    {
      id: 'retro',
      text: 'Hold the retro',
      phase: 'afterwards',
      owners: ['security lead', 'release managers'],
      completion: { kind: 'automated', action: 'open-lessons-learned' },
    },
  ],
};

/** The message parsePlaybook throws for this input, or undefined when it accepts it. */
function rejection(input: unknown): string | undefined {
  try {
    parsePlaybook(input);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The team playbook with one task changed. */
const withTask = (index: number, change: Record<string, unknown>) => ({
  ...teamPlaybook,
  tasks: teamPlaybook.tasks.map((task, i) => (i === index ? { ...task, ...change } : task)),
});

describe('parsePlaybook', () => {
  it('accepts the default playbook as a team would supply it in JSON config', () => {
    expect(parsePlaybook(JSON.parse(JSON.stringify(DEFAULT_PLAYBOOK)))).toEqual(DEFAULT_PLAYBOOK);
  });

  it("accepts a team's shorter playbook and scopes its tasks to the release unless it says otherwise", () => {
    const playbook = parsePlaybook(teamPlaybook);
    expect(playbook.phases.map((p) => p.title)).toEqual(['Patch day', 'Publish', 'Retro']);
    expect(findTask(playbook, 'merge')?.scope).toBe('release');
    expect(findTask(playbook, 'publish')?.scope).toBe('each-version');
  });

  it.each([
    [
      'an owner role the process lacks',
      withTask(0, { owners: ['ops'] }),
      'invalid playbook: tasks.0.owners.0:',
    ],
    [
      'a task in a phase the playbook lacks',
      withTask(0, { phase: 'day-two' }),
      'invalid playbook: tasks.0.phase:',
    ],
    [
      'two tasks with one id',
      withTask(1, { id: 'merge' }),
      'invalid playbook: tasks.1.id: duplicate task id merge',
    ],
    ['an upper-case task id', withTask(2, { id: 'Retro' }), 'invalid playbook: tasks.2.id:'],
    [
      'an action secrel does not have',
      withTask(1, { completion: { kind: 'automated', action: 'launch-rockets' } }),
      'invalid playbook: tasks.1.completion.action:',
    ],
    [
      'a cutoff time that is not HH:mm',
      { ...teamPlaybook, phases: [{ ...teamPlaybook.phases[0], cutoff: { dayOffset: 0, time: '24:00' } }] },
      'invalid playbook: phases.0.cutoff.time: time must be HH:mm in UTC',
    ],
    [
      'phases out of process order',
      { ...teamPlaybook, phases: [...teamPlaybook.phases].reverse() },
      'invalid playbook: phases: phases must be listed once each, in process order',
    ],
    ['no tasks', { ...teamPlaybook, tasks: [] }, 'invalid playbook: tasks:'],
    ['something that is not a playbook', 'day one', 'invalid playbook: playbook:'],
  ])('refuses %s with a one-line error naming the field', (_case, input, expected) => {
    const message = rejection(input);
    expect(message).toBeDefined();
    expect(message?.startsWith(expected)).toBe(true);
    expect(message).not.toContain('\n');
  });
});

describe('phase and task helpers', () => {
  it('finds a phase by id, and refuses one the playbook lacks', () => {
    expect(phaseOf(DEFAULT_PLAYBOOK, 'day-four-noon').title).toBe('Day four before 12:00 UTC');
    expect(() => phaseOf(parsePlaybook(teamPlaybook), 'day-two')).toThrow('playbook has no phase day-two');
  });

  it('lists the tasks of a phase in playbook order', () => {
    expect(tasksOf(DEFAULT_PLAYBOOK, 'day-four-noon').map((t) => t.id)).toEqual([
      'validate-all',
      'write-cve-notice',
    ]);
    expect(tasksOf(DEFAULT_PLAYBOOK, 'day-four-end')).toHaveLength(12);
    expect(tasksOf(parsePlaybook(teamPlaybook), 'day-three')).toEqual([]);
  });

  it('finds a task by the id people type in /secrel done, and nothing for an unknown id', () => {
    expect(findTask(DEFAULT_PLAYBOOK, 'publish-packages')?.text).toBe('Publish security packages to public');
    expect(findTask(DEFAULT_PLAYBOOK, 'publish-everything')).toBeUndefined();
  });

  it('publishes before it discloses: only the last phase before Afterwards has publish and disclose stages', () => {
    const staged = DEFAULT_PLAYBOOK.tasks.filter((t) => t.stage !== undefined);
    expect(new Set(staged.map((t) => t.phase))).toEqual(new Set(['day-four-end']));
    expect(staged.filter((t) => t.stage === 'publish').map((t) => t.id)).toEqual([
      'publish-packages',
      'publish-docker',
      'update-githost',
      'publish-code',
      'version-entries',
    ]);
  });
});
