import { configuredProject } from '../config.js';
import { isoOf } from '../moments.js';
import { environmentKind } from '../signals.js';
import type { Change, ReleaseContext } from '../transitions.js';
import type { DeploymentEvent } from '../types/events.js';
import type { ReleaseState } from '../types/release.js';
import { isNewer } from './run-order.js';

/** Deployment Hooks: the latest deployment per environment that can prove a task (DESIGN.md §5). */

/** The change a deployment event makes; undefined when it proves nothing or is not newer. */
export function applyDeployment(
  state: ReleaseState,
  event: DeploymentEvent,
  ctx: ReleaseContext,
): Change | undefined {
  // Only deployments that can prove a task are kept; review apps would only bloat the state.
  if (
    configuredProject(ctx.config, event.projectId) === undefined ||
    environmentKind(event.environment) === undefined
  ) {
    return undefined;
  }
  const stored = state.deployments[event.environment];
  const candidate = { id: event.deploymentId, updatedAt: event.updatedAt, status: event.status };
  if (!isNewer(candidate, stored && { id: stored.deploymentId, ...stored })) return undefined;
  const at = isoOf(ctx.now);
  return {
    state: {
      ...state,
      deployments: {
        ...state.deployments,
        [event.environment]: {
          environment: event.environment,
          status: event.status,
          deploymentId: event.deploymentId,
          updatedAt: event.updatedAt,
        },
      },
    },
    timeline: [
      {
        at,
        kind: 'deployment',
        summary: `deployment ${event.deploymentId} to ${event.environment} is ${event.status}`,
      },
    ],
    effects: [],
  };
}
