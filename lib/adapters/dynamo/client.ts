import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the table lives: AWS (from the environment) or DynamoDB Local at an endpoint. */
export interface DynamoClientOptions {
  /** DynamoDB Local's URL; absent on AWS. */
  readonly endpoint?: string;
  /** Region; on AWS the Lambda environment supplies it. */
  readonly region?: string;
}

// DynamoDB Local accepts any credentials; fixed fake ones keep local mode from reaching for real ones.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
const LOCAL_REGION = 'us-east-1';

/** Creates the low-level client, with fake credentials when pointed at DynamoDB Local. */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  if (options.endpoint) {
    return new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  }
  return new DynamoDBClient(options.region ? { region: options.region } : {});
}

/**
 * Creates the document client the store uses. Undefined fields (absent optionals of the release
 * state) are dropped rather than rejected, so a state round-trips without `null`s appearing.
 */
export function createDocumentClient(
  from: DynamoDBClient | DynamoClientOptions = {},
): DynamoDBDocumentClient {
  const client = from instanceof DynamoDBClient ? from : createDynamoClient(from);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
