import { createClient } from 'redis';

export async function similar(id: string) {
  const client = createClient();
  await client.ft.aggregate('idx:docs', '*');
  return client.vSim('embeddings', { ELE: id });
}
