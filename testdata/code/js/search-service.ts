// A product search service on node-redis v4/v5.
import { createClient, SchemaFieldTypes, type RedisClientType } from 'redis';

export async function buildIndex(client: RedisClientType) {
  await client.ft.create('idx:products', { // expect: FT.CREATE
    name: { type: SchemaFieldTypes.TEXT },
    price: { type: SchemaFieldTypes.NUMERIC },
  }, { ON: 'JSON', PREFIX: 'product:' });
}

export async function search(client: RedisClientType, q: string) {
  const res = await client.ft.search('idx:products', q, { LIMIT: { from: 0, size: 10 } }); // expect: FT.SEARCH
  const agg = await client.ft.aggregate('idx:products', '*'); // expect: FT.AGGREGATE
  await client.ft.aliasAdd('products', 'idx:products'); // expect: FT.ALIASADD
  return { res, agg };
}

export async function saveProduct(client: RedisClientType, id: string, p: object) {
  await client.json.set(`product:${id}`, '$', p); // expect: JSON.SET
  const name = await client.json.get(`product:${id}`, { path: '$.name' }); // expect: JSON.GET
  await client.json.merge(`product:${id}`, '$', { seen: true }); // expect: JSON.MERGE
  return name;
}

export async function metrics(client: RedisClientType) {
  await client.ts.add('temp:1', '*', 21.5); // expect: TS.ADD
  await client.ts.mRangeWithLabels('-', '+', 'sensor=1'); // expect: TS.MRANGE
  await client.bf.add('seen', 'x'); // expect: BF.ADD
  await client.cf.addNX('cuckoo', 'x'); // expect: CF.ADDNX
  await client.cms.incrBy('sketch', { item: 'a', incrementBy: 1 }); // expect: CMS.INCRBY
  await client.topK.add('top', 'a'); // expect: TOPK.ADD
  await client.tDigest.add('lat', [1, 2]); // expect: TDIGEST.ADD
  await client.vAdd('vs', [0.1, 0.2], 'item'); // expect: VADD
  await client.sendCommand(['FT.DROPINDEX', 'idx:old']); // expect: FT.DROPINDEX
}

const client = createClient();
const parsed = JSON.parse(JSON.stringify({ a: 1 }));
console.log(parsed, client);
