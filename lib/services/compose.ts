import type { SecrelConfig } from '../core/config.js';
import { DEFAULT_PLAYBOOK } from '../core/default-playbook.js';
import { parsePlaybook } from '../core/playbook-schema.js';
import type { Playbook } from '../core/types/playbook.js';
import type { EffectDispatcher, Metrics } from '../ports.js';
import { countingNotifier, countingWorkflow } from './metrics.js';
import type { IngressAuth, RuntimeDeps, WebhookDeps } from './types.js';

/**
 * The one composition of secrel's services. A runtime (the Lambdas, local mode) reads its settings
 * and builds its adapters, then calls {@link compose}: the runtimes differ only in what they pass.
 */

/** What a deployment is told: its config, and the webhook's secrets where ingress runs. */
export interface Settings {
  readonly config: SecrelConfig;
  /** Absent where no webhook is received (the actions and gate functions). */
  readonly auth?: IngressAuth;
}

/**
 * The ports' implementations a runtime plugs in: everything the services receive but the
 * settings. With `metrics`, the workflow's calls and the notices are counted too.
 */
export interface Adapters extends Omit<RuntimeDeps, 'config' | 'playbook'> {
  /**
   * How ingress hands over deliverable effects; absent where no webhook is received. Given the
   * composed dependencies, since a dispatcher in the same process performs the effects with them.
   */
  readonly effects?: (deps: RuntimeDeps) => EffectDispatcher;
}

/** The composed services' dependencies. */
export interface Composition {
  /** What the steps and the gate receive. */
  readonly runtime: RuntimeDeps;
  /**
   * What ingress receives.
   * @throws Error when the settings have no webhook secrets or the adapters no effect dispatcher.
   */
  readonly webhook: WebhookDeps;
}

/** The playbook a deployment runs: the one in config when given, else the seed process. */
export function playbookOf(config: SecrelConfig): Playbook {
  return config.playbook === undefined ? DEFAULT_PLAYBOOK : parsePlaybook(config.playbook);
}

/** The dependencies with their workflow and notifier counted, and `metrics` for the steps that count. */
export function withMetrics(deps: RuntimeDeps, metrics: Metrics): RuntimeDeps {
  return {
    ...deps,
    workflow: countingWorkflow(deps.workflow, metrics),
    ...(deps.notifier ? { notifier: countingNotifier(deps.notifier, metrics) } : {}),
    metrics,
  };
}

/** Builds the services' dependencies from a runtime's settings and adapters. */
export function compose(settings: Settings, adapters: Adapters): Composition {
  const { config } = settings;
  const { effects, metrics, ...ports } = adapters;
  const plain: RuntimeDeps = { ...ports, config, playbook: playbookOf(config) };
  const runtime = metrics ? withMetrics(plain, metrics) : plain;
  let webhook: WebhookDeps | undefined;
  return {
    runtime,
    get webhook(): WebhookDeps {
      if (!settings.auth || !effects)
        throw new Error('ingress needs the webhook secrets and an effect dispatcher');
      webhook ??= {
        config,
        store: runtime.store,
        workflow: runtime.workflow,
        effects: effects(runtime),
        clock: runtime.clock,
        logger: runtime.logger,
        auth: settings.auth,
      };
      return webhook;
    },
  };
}
