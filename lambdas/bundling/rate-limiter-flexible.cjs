// The two classes gitbeaker's requester imports from rate-limiter-flexible, without the package
// index, which loads every store (Redis, Mongo, Postgres, ...) into the Lambda bundle.
// Wired as an esbuild alias in lib/infra/lambda-function.ts; the code is the package's own.
module.exports = {
  RateLimiterMemory: require('../../node_modules/rate-limiter-flexible/lib/RateLimiterMemory.js'),
  RateLimiterQueue: require('../../node_modules/rate-limiter-flexible/lib/RateLimiterQueue.js'),
};
