'use strict';

const { Queue } = require('bullmq');
const IORedis = require('ioredis');

// BullMQ requires maxRetriesPerRequest: null on the connection it blocks on.
const connection = new IORedis(process.env.QUEUE_REDIS_URL || 'redis://localhost:6379/2', { maxRetriesPerRequest: null });

module.exports.welcomeQueue = new Queue('welcome', { connection });
