import type { ServerResponse } from 'node:http';
import { type RecordedCall, sendJson } from '../http.js';
import { pipelineBody } from './api-shapes.js';
import type { PipelineScheduler } from './pipeline-scheduler.js';
import { findProject, parseBody, type RouteEntry } from './route-helpers.js';
import { type FakeGitLabState, nextUpdatedAt } from './state.js';

/**
 * The fake GitLab's pipeline API: start one (then the scheduler finishes it and sends its hook),
 * list the newest on a ref, show one with its variables — what secrel's actions and
 * reconciliation call.
 */
export class FakeGitLabPipelineRoutes {
  constructor(
    private readonly state: FakeGitLabState,
    private readonly scheduler: PipelineScheduler,
  ) {}

  /** The routes, for the fake's router (paths after `/api/v4/`). */
  routes(): RouteEntry[] {
    return [
      ['POST', /^projects\/([^/]+)\/pipeline$/, (call, [p], res) => this.createPipeline(call, p, res)],
      ['GET', /^projects\/([^/]+)\/pipelines$/, (call, [p], res) => this.listPipelines(call, p, res)],
      [
        'GET',
        /^projects\/([^/]+)\/pipelines\/(\d+)(\/variables)?$/,
        (_call, [p, id, variables], res) => this.showPipeline(p, id, variables !== undefined, res),
      ],
    ];
  }

  private createPipeline(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    const body = project && parseBody(pipelineBody, call.body, res);
    if (!project || !body) return;
    const variables = Object.fromEntries((body.variables ?? []).map((v) => [v.key, v.value]));
    const pipeline = this.state.addPipeline(project, body.ref, variables);
    const id = pipeline.id;
    sendJson(res, 201, {
      id,
      iid: id,
      project_id: project.id,
      ref: pipeline.ref,
      status: pipeline.status,
      source: 'api',
      web_url: pipeline.webUrl,
    });
    this.scheduler.schedule(pipeline);
  }

  /** `GET /projects/:id/pipelines?ref=&source=`: newest first, as GitLab lists them by default. */
  private listPipelines(call: RecordedCall, projectRef: string | undefined, res: ServerResponse): void {
    const project = findProject(this.state, projectRef, res);
    if (!project) return;
    const { ref, source } = call.query;
    // Every pipeline of the fake was started through the API: another source lists none.
    const fromApi = source === undefined || source === 'api';
    const found = this.state.pipelines
      .filter((p) => fromApi && p.projectId === project.id && (ref === undefined || p.ref === ref))
      .sort((a, b) => b.id - a.id)
      .slice(0, Number(call.query.per_page ?? 20));
    sendJson(
      res,
      200,
      found.map((p) => ({
        id: p.id,
        iid: p.id,
        project_id: project.id,
        ref: p.ref,
        status: p.status,
        source: 'api',
      })),
    );
  }

  /** `GET /projects/:id/pipelines/:pipeline_id` (and `/variables`): what reconciliation reads back. */
  private showPipeline(
    projectRef: string | undefined,
    id: string | undefined,
    variables: boolean,
    res: ServerResponse,
  ): void {
    const project = findProject(this.state, projectRef, res);
    if (!project) return;
    const pipeline = this.state.pipelines.find((p) => p.id === Number(id) && p.projectId === project.id);
    if (!pipeline) {
      sendJson(res, 404, { message: '404 Not found' });
      return;
    }
    if (variables) {
      sendJson(
        res,
        200,
        Object.entries(pipeline.variables).map(([key, value]) => ({ key, value, variable_type: 'env_var' })),
      );
      return;
    }
    sendJson(res, 200, {
      id: pipeline.id,
      iid: pipeline.id,
      project_id: project.id,
      ref: pipeline.ref,
      status: pipeline.status,
      source: 'api',
      updated_at: pipeline.updatedAt ?? nextUpdatedAt(),
      web_url: pipeline.webUrl,
    });
  }
}
