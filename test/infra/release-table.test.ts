import { describe, expect, it } from 'vitest';
import { TABLE_LAYOUT } from '../../lib/adapters/dynamo/table-layout.js';
import { TABLE_KEYS } from '../../lib/infra/release-table.js';
import { resourcesOfType, synthesizeOnce } from './synth.js';

function releaseTable(stage: string) {
  const { template } = synthesizeOnce({ stage });
  const tables = Object.values(resourcesOfType(template, 'AWS::DynamoDB::Table'));
  expect(tables).toHaveLength(1);
  return tables[0] as { Properties: Record<string, unknown>; DeletionPolicy?: string };
}

describe('the release table', () => {
  it('has the key schema, index and TTL the DynamoDB adapter writes', () => {
    const table = releaseTable('dev');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE_LAYOUT.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_LAYOUT.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: TABLE_LAYOUT.gsi1.name,
        KeySchema: [
          { AttributeName: TABLE_LAYOUT.gsi1.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_LAYOUT.gsi1.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: TABLE_LAYOUT.gsi1.projection },
      },
    ]);
    expect(table.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        [
          TABLE_LAYOUT.partitionKey,
          TABLE_LAYOUT.sortKey,
          TABLE_LAYOUT.gsi1.partitionKey,
          TABLE_LAYOUT.gsi1.sortKey,
        ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
    );
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE_LAYOUT.ttlAttribute,
      Enabled: true,
    });
    expect(TABLE_KEYS.gsi1.indexName).toBe(TABLE_LAYOUT.gsi1.name);
  });

  it('is on-demand with point-in-time recovery', () => {
    const table = releaseTable('dev');
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('survives a stack deletion in prod, and only in prod', () => {
    const prod = releaseTable('prod');
    expect(prod.Properties.DeletionProtectionEnabled).toBe(true);
    expect(prod.DeletionPolicy).toBe('Retain');
    const dev = releaseTable('dev');
    expect(dev.Properties.DeletionProtectionEnabled).toBe(false);
    expect(dev.DeletionPolicy).toBe('Delete');
  });
});
