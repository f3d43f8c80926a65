'use strict';

const { Queue } = require('bullmq');
const IORedis = require('ioredis');
const config = require('./config');

// BullMQ blocks on this connection, so it must not give up on a command.
const connection = new IORedis(config.redis.queues, { maxRetriesPerRequest: null });

const welcomeQueue = new Queue('welcome', {
  connection,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: 1000,
    removeOnFail: 5000,
  },
});

module.exports = { connection, welcomeQueue };
