// A real Node.js client against a server: handshake, a workload, pub/sub.
// usage: node node_client.js <library dir> <kind: ioredis|node-redis> <port> [resp]
// Prints one line per check and "DONE" at the end; any failure exits non-zero.
const path = require('path');
const [dir, kind, portArg, respArg] = process.argv.slice(2);
const port = Number(portArg);
const resp = Number(respArg || 2);
const pkg = require(path.join(dir, 'package.json'));
const lib = require(dir);

function check(label, got, want) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) {
    throw new Error(`${label}: got ${g}, want ${w}`);
  }
  console.log(`ok ${label}`);
}

async function withIoredis(Client) {
  const c = new Client({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  await c.connect();
  check('ping', await c.ping(), 'PONG');
  check('set', await c.set('k', 'v', 'EX', 100), 'OK');
  check('get', await c.get('k'), 'v');
  check('incr', await c.incrby('n', 5), 5);
  check('hset', await c.hset('h', 'a', '1', 'b', '2'), 2);
  check('hgetall', await c.hgetall('h'), { a: '1', b: '2' });
  check('lpush', await c.lpush('l', 'x', 'y'), 2);
  check('lrange', await c.lrange('l', 0, -1), ['y', 'x']);
  check('zadd', await c.zadd('z', 1, 'a', 2, 'b'), 2);
  check('zrange', await c.zrange('z', 0, -1, 'WITHSCORES'), ['a', '1', 'b', '2']);
  check('ttl', (await c.ttl('k')) > 90, true);
  const tx = await c.multi().set('t', '1').incr('t').get('t').exec();
  check('multi', tx, [[null, 'OK'], [null, 2], [null, '2']]);
  const pipe = await c.pipeline().sadd('s', 'm').scard('s').exec();
  check('pipeline', pipe, [[null, 1], [null, 1]]);
  let err = null;
  try { await c.lpush('k', 'x'); } catch (e) { err = e.message; }
  check('wrongtype', err, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  const sub = c.duplicate();
  const got = new Promise((resolve) => sub.on('message', (ch, msg) => resolve([ch, msg])));
  const pgot = new Promise((resolve) => sub.on('pmessage', (p, ch, msg) => resolve([p, ch, msg])));
  await sub.subscribe('news');
  await sub.psubscribe('ne*');
  check('publish', await c.publish('news', 'hello'), 2);
  check('message', await got, ['news', 'hello']);
  check('pmessage', await pgot, ['ne*', 'news', 'hello']);
  const blocked = c.duplicate();
  const pop = blocked.blpop('q', 5);
  await new Promise((r) => setTimeout(r, 50));
  await c.rpush('q', 'job');
  check('blpop', await pop, ['q', 'job']);
  sub.disconnect();
  blocked.disconnect();
  c.disconnect();
}

async function withNodeRedis() {
  const options = { url: `redis://127.0.0.1:${port}` };
  if (resp === 3) options.RESP = 3;
  const c = lib.createClient(options);
  c.on('error', (e) => { console.error('client error', e); process.exit(3); });
  await c.connect();
  check('ping', await c.ping(), 'PONG');
  check('set', await c.set('k', 'v', { EX: 100 }), 'OK');
  check('get', await c.get('k'), 'v');
  check('incr', await c.incrBy('n', 5), 5);
  check('hset', await c.hSet('h', { a: '1', b: '2' }), 2);
  const all = await c.hGetAll('h');
  check('hgetall', { ...all }, { a: '1', b: '2' });
  check('lpush', await c.lPush('l', ['x', 'y']), 2);
  check('lrange', await c.lRange('l', 0, -1), ['y', 'x']);
  check('zadd', await c.zAdd('z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]), 2);
  check('zrange', await c.zRange('z', 0, -1), ['a', 'b']);
  check('ttl', (await c.ttl('k')) > 90, true);
  const tx = await c.multi().set('t', '1').incr('t').get('t').exec();
  check('multi', tx, ['OK', 2, '2']);
  let err = null;
  try { await c.lPush('k', 'x'); } catch (e) { err = e.message; }
  check('wrongtype', err, 'WRONGTYPE Operation against a key holding the wrong kind of value');
  const sub = c.duplicate();
  await sub.connect();
  const got = new Promise((resolve) => sub.subscribe('news', (msg, ch) => resolve([ch, msg])));
  await new Promise((r) => setTimeout(r, 50));
  check('publish', await c.publish('news', 'hello'), 1);
  check('message', await got, ['news', 'hello']);
  const blocked = c.duplicate();
  await blocked.connect();
  const pop = blocked.blPop('q', 5);
  await new Promise((r) => setTimeout(r, 50));
  await c.rPush('q', 'job');
  check('blpop', await pop, { key: 'q', element: 'job' });
  await sub.quit();
  await blocked.quit();
  await c.quit();
}

(async () => {
  console.log(`${pkg.name} ${pkg.version} resp${resp}`);
  if (kind === 'ioredis') {
    await withIoredis(lib.default || lib.Redis || lib);
  } else {
    await withNodeRedis();
  }
  console.log('DONE');
  process.exit(0);
})().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
