import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_ARN_VARIABLES } from '../core/function-env.js';
import { nagArn } from './nag.js';
import { defaultSecretName } from './naming.js';
import type { SecretKind } from './settings.js';

/** The environment variable through which a handler learns each secret's ARN (the handlers' contract). */
export const SECRET_ENV_VARS: Readonly<Record<SecretKind, string>> = SECRET_ARN_VARIABLES;

const DESCRIPTIONS: Readonly<Record<SecretKind, string>> = {
  webhookSecret: 'GitLab webhook secret token; comma-separated values during rotation',
  signingKey: 'Standard Webhooks signing key (whsec_...) for signed GitLab webhooks',
  gitlabToken: 'GitLab API token secrel acts with',
  hackeroneToken: 'HackerOne API token for reports linked to a release',
  versionServerToken: 'Version server API token for adding version entries',
  slackWebhookUrl: 'Slack incoming webhook URL that gets non-confidential copies of notices',
};

/** Props of {@link ReleaseSecrets}. */
export interface ReleaseSecretsProps {
  readonly stage: string;
  /** `create` makes each secret with a generated value; `import` references existing ones by name. */
  readonly mode: 'create' | 'import';
  /** Which secrets this deployment has; the webhook secret and GitLab token are always there. */
  readonly kinds: readonly SecretKind[];
  /** Names to use instead of `secrel/<stage>/<kind>`. */
  readonly names?: Partial<Readonly<Record<SecretKind, string>>>;
}

/**
 * The secrets in Secrets Manager. Secrets never live in the config file (DESIGN.md §8);
 * handlers read them at cold start through `lib/adapters/secrets`.
 */
export class ReleaseSecrets extends Construct {
  private readonly secrets = new Map<SecretKind, ISecret>();
  private readonly names = new Map<SecretKind, string>();
  private readonly mode: 'create' | 'import';

  constructor(scope: Construct, id: string, props: ReleaseSecretsProps) {
    super(scope, id);
    this.mode = props.mode;
    const kinds = new Set<SecretKind>(['webhookSecret', 'gitlabToken', ...props.kinds]);
    for (const kind of kinds) {
      const name = props.names?.[kind] ?? defaultSecretName(props.stage, kind);
      this.names.set(kind, name);
      if (props.mode === 'import') {
        this.secrets.set(kind, Secret.fromSecretNameV2(this, kind, name));
        continue;
      }
      const secret = new Secret(this, kind, {
        secretName: name,
        description: DESCRIPTIONS[kind],
        // A generated value, never a value in the template. The webhook secret is usable as is;
        // tokens issued elsewhere (GitLab, HackerOne) are put in by an operator after deploy.
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'These are tokens issued by GitLab, HackerOne, the version server and Slack; no Lambda can rotate them. ' +
          'Operators rotate them by hand (the webhook secret accepts two comma-separated values meanwhile).',
      });
      this.secrets.set(kind, secret);
    }
  }

  /** Kinds this deployment has. */
  get kinds(): readonly SecretKind[] {
    return [...this.secrets.keys()];
  }

  /** The secret of a kind, if this deployment has it. */
  secret(kind: SecretKind): ISecret | undefined {
    return this.secrets.get(kind);
  }

  /**
   * Lets a function read the given secrets and tells it their ARNs through its environment.
   * Kinds this deployment lacks are left out, so the handler sees no variable for them.
   */
  grantReadTo(fn: LambdaFunction & IGrantable, kinds: readonly SecretKind[]): void {
    for (const kind of kinds) {
      const secret = this.secrets.get(kind);
      if (!secret) continue;
      secret.grantRead(fn);
      fn.addEnvironment(SECRET_ENV_VARS[kind], secret.secretArn);
      if (this.mode === 'import' && fn.role) {
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagArn(this, 'secretsmanager', `secret:${this.names.get(kind)}-??????`)}]`,
          reason:
            'A secret imported by name is matched by its name plus the 6 random characters ' +
            'Secrets Manager appends; that suffix is unknown at synth time.',
        });
      }
    }
  }
}
