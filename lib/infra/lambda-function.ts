import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RUNTIME_ENV } from '../core/function-env.js';

/** The project root, where `lambdas/` and `package-lock.json` live. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runtime of every secrel function: the newest Node.js Lambda runs (DESIGN.md §9). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
/** Architecture of every secrel function: Graviton costs 20% less per GB-second. */
export const FUNCTION_ARCHITECTURE = Architecture.ARM_64;

/** The three Lambda entry points in `lambdas/`. */
export type EntryPoint = 'webhook' | 'gate' | 'actions';

/** Props of {@link SecrelFunction}. */
export interface SecrelFunctionProps {
  /** Which file of `lambdas/` this function runs; each gets its own bundle. */
  readonly entry: EntryPoint;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly stage: string;
  /**
   * Variables its handler reads (`lib/core/function-env.ts` names them all); the fixed Powertools
   * and Node.js ones are added here, secret ARNs by the secrets construct.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Caps how many copies may run at once; unset leaves the account's pool. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A secrel Lambda: one esbuild bundle (local esbuild, no Docker), its own role that may only write
 * its own log group, JSON logs, X-Ray tracing. Callers add grants with the construct methods.
 */
export class SecrelFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SecrelFunctionProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole, whose log rights span every log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `secrel ${props.entry} function`,
    });
    this.logGroup.grants.write(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'lambdas', `${props.entry}.ts`),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        ...props.environment,
        ...RUNTIME_ENV,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // ESM bundles have no `require`; a CommonJS dependency that calls it needs this shim.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // gitbeaker imports two classes from rate-limiter-flexible, whose index loads every store it
        // supports (65 KB); the alias bundles just those two classes (see the file).
        esbuildArgs: { '--alias:rate-limiter-flexible': './lambdas/bundling/rate-limiter-flexible.cjs' },
        forceDockerBundling: false,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords accept no resource narrower than *.',
    });
  }
}
