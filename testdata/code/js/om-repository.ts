import { Schema, Repository } from 'redis-om';
import { createClient } from 'redis';

const albumSchema = new Schema('album', { // expect: FT.CREATE
  artist: { type: 'string' },
  title: { type: 'text' },
  year: { type: 'number' },
});

export async function albums() {
  const redis = createClient();
  await redis.connect();
  const repo = new Repository(albumSchema, redis); // expect: FT.SEARCH JSON.SET
  await repo.createIndex(); // expect: FT.CREATE
  return repo.search().where('artist').equals('Mushroomhead').return.all(); // expect: FT.SEARCH
}
