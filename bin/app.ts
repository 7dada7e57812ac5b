import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Deployment, resolveDeployment } from '../lib/infra/deployment-inputs.js';
import { PROJECT_ROOT } from '../lib/infra/lambda-function.js';
import { stackName } from '../lib/infra/naming.js';
import { SecrelStack } from '../lib/infra/stack.js';

// The CDK app: `npx cdk synth|deploy -c stage=dev -c config=path.json` (docs/deploy.md).
const app = new App();
const { settings, config } = deploymentOrExit();
new SecrelStack(app, stackName(settings.stage), {
  settings,
  config,
  description: `secrel ${settings.stage}: critical security release automation`,
  // Account and region come from the deploying credentials; synth needs neither.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();

/**
 * The validated deployment; a bad setting or config ends the app with one line naming it, which
 * `cdk synth` shows, instead of a stack trace.
 */
function deploymentOrExit(): Deployment {
  try {
    return resolveDeployment((key) => app.node.tryGetContext(key), { cwd: PROJECT_ROOT, env: process.env });
  } catch (error) {
    process.stderr.write(`secrel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
