import { WORKFLOW_ERRORS } from '../types/workflow.js';

/**
 * The one Retry policy of every Lambda call in the state machine. Transient errors (a throttle, a
 * 5xx, DynamoDB unavailable) are retried with full-jitter backoff for about an hour of attempts
 * (2 s doubling up to 5 min, 16 attempts), long enough to ride out an outage of minutes.
 */
export const RETRY_POLICY = [
  {
    ErrorEquals: [
      WORKFLOW_ERRORS.transient,
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 16,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
] as const;
