import { createClient, createCluster, createSentinel } from 'redis';
import Redis, { Cluster } from 'ioredis';

export const sessions = createClient({
  url: process.env.REDIS_URL,
  RESP: 3, // feature: resp3
  clientSideCache: { ttl: 0, maxEntries: 0 }, // feature: client-side-caching
  maintNotifications: 'disabled', // feature: maint-notifications-off
});

export const ha = createSentinel({ name: 'mymaster', sentinelRootNodes: [] }); // feature: sentinel
export const shards = createCluster({ rootNodes: [] }); // feature: cluster
export const legacy = new Redis({ sentinels: [{ host: 's0', port: 26379 }], name: 'mymaster' }); // feature: sentinel
export const io = new Cluster([{ host: 'c0', port: 7000 }]); // feature: cluster

// Decoys: a local variable, a comparison, a string.
const RESP = 3;
if (RESP === 3) console.log('RESP: 3, clientSideCache: on');
