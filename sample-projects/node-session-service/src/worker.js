'use strict';

const { Worker } = require('bullmq');
const { connection } = require('./queue');

async function sendWelcomeMail({ email }) {
  const response = await fetch(process.env.MAIL_API_URL || 'http://localhost:8025/api/send', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: email, template: 'welcome' }),
  });
  if (!response.ok) {
    throw new Error(`mail API answered ${response.status}`);
  }
}

const worker = new Worker('welcome', (job) => sendWelcomeMail(job.data), { connection, concurrency: 4 });

worker.on('failed', (job, err) => console.error(`welcome mail for job ${job && job.id} failed`, err.message));

process.on('SIGTERM', async () => {
  await worker.close();
  await connection.quit();
});
