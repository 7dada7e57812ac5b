import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionRecord } from '../../core/types/release.js';
import { buildReleaseView } from '../dashboard/release-view.js';
import type { RehearsalWorld } from './world.js';

/** What the rehearsal ended with. */
export interface RehearsalResult {
  /** `afterwards`: the release reached Afterwards; `held`: the publish gate held (nothing published). */
  readonly outcome: 'afterwards' | 'held' | 'stuck';
  readonly releaseId: string;
  readonly tasks: {
    readonly onTime: number;
    readonly late: readonly string[];
    readonly waived: number;
    readonly open: number;
  };
  /** Automated actions recorded as succeeded, as `action subject`. */
  readonly actions: readonly string[];
  /** Pipelines and version entries the fakes received for publication. */
  readonly published: { readonly pipelines: number; readonly versionEntries: number };
  /** The lessons-learned issue text, written to a file in the data folder. */
  readonly lessonsLearnedFile?: string;
}

/**
 * The rehearsal's result as the release's store and the fakes hold it at the end: tasks on time
 * or late, actions performed, what was published, and the lessons-learned issue written to a file.
 */
export async function reportRelease(
  world: RehearsalWorld,
  releaseId: string,
  outcome: RehearsalResult['outcome'],
): Promise<RehearsalResult> {
  const runtime = world.runtime;
  const state = await runtime.deps.store.get(releaseId);
  const records: readonly ActionRecord[] = await runtime.deps.store.listActions(releaseId);
  const view = state
    ? buildReleaseView(state, [], { now: () => runtime.clock.now(), roles: world.config.roles })
    : undefined;
  const tasks = view?.tasks ?? [];
  const publishPipelines = world.gitlab.pipelines.filter((p) =>
    ['publish-packages', 'publish-docker', 'publish-code', 'update-githost'].includes(
      p.variables.SECREL_ACTION ?? '',
    ),
  ).length;
  const lessons = world.gitlab.issues.find((issue) => /lessons learned/i.test(issue.title));
  let lessonsLearnedFile: string | undefined;
  if (lessons) {
    lessonsLearnedFile = join(world.dataDir, 'lessons-learned.md');
    await writeFile(lessonsLearnedFile, `# ${lessons.title}\n\n${lessons.description}\n`);
  }
  return {
    outcome,
    releaseId,
    tasks: {
      onTime: tasks.filter((t) => t.status === 'done' && !t.late).length,
      late: tasks.filter((t) => t.late).map((t) => t.key),
      waived: tasks.filter((t) => t.status === 'waived').length,
      open: tasks.filter((t) => t.status === 'open').length,
    },
    actions: records.filter((r) => r.status === 'succeeded').map((r) => `${r.action} ${r.subject}`),
    published: { pipelines: publishPipelines, versionEntries: world.versionServer.versions.length },
    ...(lessonsLearnedFile ? { lessonsLearnedFile } : {}),
  };
}
