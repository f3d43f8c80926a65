'use strict';

// connect-redis v7 takes a node-redis v4+ client.
const { createClient } = require('redis');
const RedisStore = require('connect-redis').default;

const client = createClient({ url: process.env.SESSION_REDIS_URL || 'redis://localhost:6379/0' });
client.on('error', (err) => console.error('session redis error', err));
client.connect();

module.exports.sessionStore = new RedisStore({ client, prefix: 'sess:', ttl: 8 * 60 * 60 });
