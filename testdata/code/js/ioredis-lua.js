// ioredis with raw commands and a Lua script held in a string.
const Redis = require('ioredis');

const redis = new Redis(process.env.REDIS_URL);

const UPSERT = `
local doc = redis.call('JSON.GET', KEYS[1]) -- expect: JSON.GET
if not doc then
  redis.call("JSON.SET", KEYS[1], '$', ARGV[1]) -- expect: JSON.SET
end
return 1
`;

async function main() {
  await redis.call('FT.SEARCH', 'idx', '@title:redis'); // expect: FT.SEARCH
  await redis.call('ft.info', 'idx'); // expect: FT.INFO
  await redis.eval(UPSERT, 1, 'doc:1', '{}');
  await redis.call('GRAPH.QUERY', 'social', 'MATCH (n) RETURN n'); // expect: GRAPH.QUERY
  await redis.call('TFCALL', 'lib.fn', 0); // expect: TFCALL
  const v = await redis.call('vsim', 'vs', 'ELE', 'item'); // expect: VSIM
  return v;
}

module.exports = { main };
