import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * Key names of the release table. They must equal the adapter's layout
 * (`lib/adapters/dynamo/table-layout.ts`); a test in `test/infra` compares the two.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'expiresAt',
} as const;

/** Props of {@link ReleaseTable}. */
export interface ReleaseTableProps {
  /** `prod` turns on deletion protection and keeps the table when the stack goes. */
  readonly stage: string;
}

/** The one DynamoDB table: releases, tasks, MRs, deliveries, action records, timeline (DESIGN.md §1). */
export class ReleaseTable extends Construct {
  /** The table; grant access with its own methods. */
  readonly table: Table;

  constructor(scope: Construct, id: string, props: ReleaseTableProps) {
    super(scope, id);
    const prod = props.stage === 'prod';
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      // A release is a burst of a few hundred writes every few months: on-demand costs nothing between.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      deletionProtection: prod,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.gsi1.indexName,
      partitionKey: { name: TABLE_KEYS.gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.gsi1.sortKey, type: AttributeType.STRING },
      // Keys are enough: the store reads release states from the table with a consistent batch get.
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /**
   * Lets a function read and write release items. CDK's grant covers every index of the table,
   * which cdk-nag flags; the acknowledgement says why that is meant.
   */
  grantReadWriteTo(fn: IFunction & IGrantable): void {
    this.table.grantReadWriteData(fn);
    if (!fn.role) return;
    const logicalId = Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnElement);
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason:
        "Listing releases queries the table's own index gsi1; index ARNs are the table ARN plus /index/<name>.",
    });
  }
}
