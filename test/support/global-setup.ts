import 'vitest';
import type { TestProject } from 'vitest/node';
import { type DynamoLocal, startDynamoLocal } from '../../lib/local/dynamo-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

let dynamo: DynamoLocal | undefined;

/** One DynamoDB Local for the whole run; each test file makes its own table. */
export async function setup(project: TestProject): Promise<void> {
  dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
