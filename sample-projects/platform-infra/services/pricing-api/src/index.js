'use strict';

const http = require('node:http');
const { Cluster } = require('ioredis');

// The catalog cache runs in cluster mode behind one configuration endpoint (TLS).
const cache = new Cluster([{ host: process.env.CATALOG_CACHE_HOST || 'localhost', port: 6379 }], {
  dnsLookup: (address, callback) => callback(null, address),
  redisOptions: { tls: process.env.CATALOG_CACHE_TLS === 'false' ? undefined : {} },
  scaleReads: 'slave',
});

const TTL_SECONDS = 300;

async function priceFor(sku) {
  const cached = await cache.get(`price:${sku}`);
  if (cached) return JSON.parse(cached);
  const response = await fetch(`${process.env.CATALOG_URL || 'http://catalog.shop.svc'}/prices/${encodeURIComponent(sku)}`);
  if (!response.ok) return null;
  const price = await response.json();
  await cache.set(`price:${sku}`, JSON.stringify(price), 'EX', TTL_SECONDS);
  return price;
}

http
  .createServer(async (req, res) => {
    const match = /^\/prices\/([^/]+)$/.exec(req.url || '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    try {
      const price = await priceFor(decodeURIComponent(match[1]));
      res.writeHead(price ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(price));
    } catch (err) {
      console.error('price lookup failed', err);
      res.writeHead(503).end();
    }
  })
  .listen(Number(process.env.PORT || 8080));
