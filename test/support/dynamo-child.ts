import { startDynamoLocal } from '../../lib/local/dynamo-local.js';

/**
 * A process that starts DynamoDB Local, prints the java pid and then dies the way the argument
 * says: `throw` (an uncaught error) or `wait` (until a signal it does not handle ends it).
 */
const mode = process.argv[2];
const dynamo = await startDynamoLocal();
process.stdout.write(`java pid ${dynamo.pid}\n`);
if (mode === 'throw') throw new Error('crash on purpose');
setInterval(() => undefined, 1_000);
