'use strict';

const express = require('express');
const session = require('express-session');
const { sessionStore } = require('./session');
const { limitPerUser } = require('./rateLimit');
const { welcomeQueue } = require('./queue');

const app = express();
app.use(express.json());
app.use(
  session({
    store: sessionStore,
    secret: process.env.SESSION_SECRET,
    resave: false,
    saveUninitialized: false,
    cookie: { secure: true, maxAge: 1000 * 60 * 60 * 8 },
  }),
);

app.post('/signup', limitPerUser, async (req, res) => {
  const { email } = req.body;
  req.session.user = { email };
  await welcomeQueue.add('welcome-email', { email }, { attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
  res.status(201).json({ ok: true });
});

app.get('/me', limitPerUser, (req, res) => {
  if (!req.session.user) return res.status(401).end();
  res.json(req.session.user);
});

app.listen(process.env.PORT || 3000);
