'use strict';

// One Redis (ElastiCache in production) holds three kinds of data; each gets its own
// logical database so that a FLUSHDB while debugging one never wipes the others.
const base = process.env.REDIS_URL || 'redis://localhost:6379';

module.exports = {
  port: Number(process.env.PORT || 3000),
  sessionSecret: process.env.SESSION_SECRET || 'dev-only-secret',
  sessionTtlSeconds: 8 * 60 * 60,
  redis: {
    sessions: process.env.SESSION_REDIS_URL || `${base}/0`,
    rateLimits: process.env.RATE_REDIS_URL || `${base}/1`,
    queues: process.env.QUEUE_REDIS_URL || `${base}/2`,
  },
  rateLimit: { points: 100, durationSeconds: 60 },
};
