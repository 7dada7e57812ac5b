import type { AutomatedResult } from '../../core/transitions.js';
import type { ActionKind } from '../../core/types/playbook.js';
import type { ReleaseState } from '../../core/types/release.js';
import type { ActionOutcome } from '../../core/types/workflow.js';
import type { RuntimeDeps } from '../types.js';
import type { Parts } from './once.js';

/** What one automated action works with, and what it reports back. */

/** The action being performed for a release (and an affected version). */
export interface ActionContext {
  readonly deps: RuntimeDeps;
  /** The release as read before the action was claimed. */
  readonly state: ReleaseState;
  readonly action: ActionKind;
  readonly version?: string;
  /** The task key it completes (`build-packages@17.5`). */
  readonly key: string;
}

/** How an action's calls went; the caller turns it into state changes and the step's answer. */
export interface ActionEffect {
  readonly outcome: Extract<ActionOutcome, 'done' | 'skipped' | 'pipeline-started'>;
  readonly pipelineId?: number;
  /** GitLab's id of the project the pipeline runs in (a target given as a path has no id in config). */
  readonly pipelineProjectId?: number;
  /** Issues the release must know about. */
  readonly created?: AutomatedResult;
}

/** One automated action: calls out through `parts` (at most once each) and says what happened. */
export type ActionPerformer = (ctx: ActionContext, parts: Parts) => Promise<ActionEffect>;

/** The answer of an action that had nothing to do (no target configured). */
export const SKIPPED: ActionEffect = { outcome: 'skipped' };

/** Splits a stored `iid|url` pair written by {@link issueValue}. */
export function parseIssueValue(
  value: string | number | undefined,
): { iid: number; url: string } | undefined {
  if (value === undefined) return undefined;
  const [iid, ...url] = String(value).split('|');
  const n = Number(iid);
  return Number.isInteger(n) && n > 0 ? { iid: n, url: url.join('|') } : undefined;
}

/** An issue created by an action, kept on its record as `iid|url`. */
export function issueValue(issue: { iid: number; url: string }): string {
  return `${issue.iid}|${issue.url}`;
}

/** A GitLab project given by id or path, as a numeric id when config knows it. */
export function projectIdOf(deps: RuntimeDeps, project: number | string): number | undefined {
  if (typeof project === 'number') return project;
  return deps.config.projects.find((p) => p.path === project || String(p.id) === project)?.id;
}
