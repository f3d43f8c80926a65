'use strict';

const Redis = require('ioredis');
const { RateLimiterRedis } = require('rate-limiter-flexible');

const redis = new Redis(process.env.RATE_REDIS_URL || 'redis://localhost:6379/1', { enableOfflineQueue: false });

// 100 requests per user per minute, sliding over fixed one-minute windows.
const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl', points: 100, duration: 60 });

module.exports.limitPerUser = async (req, res, next) => {
  const key = (req.session && req.session.user && req.session.user.email) || req.ip;
  try {
    await limiter.consume(key);
    next();
  } catch (rejection) {
    res.set('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
    res.status(429).json({ error: 'too many requests' });
  }
};
