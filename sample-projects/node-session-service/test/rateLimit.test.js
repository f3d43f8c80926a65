'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { RateLimiterMemory } = require('rate-limiter-flexible');
const { limitKey, limitPerUser } = require('../src/rateLimit');

function fakeResponse() {
  return {
    headers: {},
    statusCode: 200,
    body: undefined,
    set(name, value) {
      this.headers[name] = value;
      return this;
    },
    status(code) {
      this.statusCode = code;
      return this;
    },
    json(body) {
      this.body = body;
      return this;
    },
  };
}

test('signed-in users are limited per e-mail, case-insensitively', () => {
  const req = { ip: '10.0.0.1', session: { user: { email: 'Ada@Example.com' } } };
  assert.strictEqual(limitKey(req), 'user:ada@example.com');
});

test('anonymous requests are limited per client address', () => {
  assert.strictEqual(limitKey({ ip: '10.0.0.1', session: {} }), 'ip:10.0.0.1');
});

test('the request over the limit gets 429 and Retry-After', async () => {
  const middleware = limitPerUser(new RateLimiterMemory({ points: 2, duration: 60 }));
  const req = { ip: '10.0.0.2', session: {} };
  let passed = 0;
  for (let i = 0; i < 3; i += 1) {
    const res = fakeResponse();
    await middleware(req, res, () => {
      passed += 1;
    });
    if (i === 2) {
      assert.strictEqual(res.statusCode, 429);
      assert.ok(Number(res.headers['Retry-After']) > 0);
    }
  }
  assert.strictEqual(passed, 2);
});
