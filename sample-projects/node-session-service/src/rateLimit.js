'use strict';

const { RateLimiterRedis } = require('rate-limiter-flexible');
const config = require('./config');

function redisLimiter(storeClient) {
  return new RateLimiterRedis({
    storeClient,
    keyPrefix: 'rl',
    points: config.rateLimit.points,
    duration: config.rateLimit.durationSeconds,
  });
}

function limitKey(req) {
  const user = req.session && req.session.user;
  return user ? `user:${user.email.toLowerCase()}` : `ip:${req.ip}`;
}

// Express middleware around any rate-limiter-flexible limiter (Redis in the service, memory in tests).
function limitPerUser(limiter) {
  return async (req, res, next) => {
    try {
      const result = await limiter.consume(limitKey(req));
      res.set('RateLimit-Remaining', String(result.remainingPoints));
      next();
    } catch (rejection) {
      if (rejection instanceof Error) {
        // Redis unreachable: fail open, the limiter is a courtesy, not a security control.
        console.warn('rate limiter unavailable', rejection.message);
        return next();
      }
      res.set('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
      res.status(429).json({ error: 'too many requests' });
    }
  };
}

module.exports = { limitKey, limitPerUser, redisLimiter };
