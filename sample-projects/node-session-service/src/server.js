'use strict';

const express = require('express');
const session = require('express-session');
const Redis = require('ioredis');
const config = require('./config');
const sessions = require('./session');
const rateLimit = require('./rateLimit');
const { welcomeQueue } = require('./queue');

// No offline queue: when Redis is down we would rather let requests through than pile them up.
const rateRedis = new Redis(config.redis.rateLimits, { enableOfflineQueue: false });
const limitPerUser = rateLimit.limitPerUser(rateLimit.redisLimiter(rateRedis));

const app = express();
app.set('trust proxy', 1);
app.use(express.json());
app.use(
  session({
    store: sessions.sessionStore,
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    cookie: { secure: process.env.NODE_ENV === 'production', maxAge: config.sessionTtlSeconds * 1000 },
  }),
);

app.post('/signup', limitPerUser, async (req, res) => {
  const { email } = req.body || {};
  if (typeof email !== 'string' || !email.includes('@')) {
    return res.status(400).json({ error: 'email required' });
  }
  req.session.user = { email, signedUpAt: new Date().toISOString() };
  await welcomeQueue.add('welcome-email', { email });
  res.status(201).json({ ok: true });
});

app.get('/me', limitPerUser, (req, res) => {
  if (!req.session.user) return res.status(401).end();
  res.json(req.session.user);
});

app.post('/logout', (req, res, next) => {
  req.session.destroy((err) => (err ? next(err) : res.status(204).end()));
});

app.get('/healthz', (req, res) => res.json({ ok: true }));

sessions.ready.then(() => {
  app.listen(config.port, () => console.log(`session-service listening on ${config.port}`));
});
