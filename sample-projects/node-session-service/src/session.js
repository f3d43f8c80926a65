'use strict';

// connect-redis 9 needs node-redis 5 or later; we moved to node-redis 6 with it.
const { createClient } = require('redis');
const { RedisStore } = require('connect-redis');
const config = require('./config');

const client = createClient({
  url: config.redis.sessions,
  socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 3000) },
});
client.on('error', (err) => console.error('session redis error', err));

const ready = client.connect();

module.exports = {
  ready,
  sessionStore: new RedisStore({ client, prefix: 'sess:', ttl: config.sessionTtlSeconds }),
  close: () => client.quit(),
};
