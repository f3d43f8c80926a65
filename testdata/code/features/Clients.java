package com.acme;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.protocol.ProtocolVersion;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.csc.CacheConfig;

class Clients {
    ClientOptions lettuce() {
        return ClientOptions.builder()
            .maintNotificationsConfig(MaintNotificationsConfig.disabled()) // feature: maint-notifications-off
            .protocolVersion(ProtocolVersion.RESP2) // feature: resp2
            .build();
    }

    Object jedis() {
        var config = DefaultJedisClientConfig.builder().resp3().build(); // feature: resp3
        var cache = CacheConfig.builder().maxSize(1000).build(); // feature: client-side-caching
        var pool = new JedisSentinelPool("mymaster", sentinels); // feature: sentinel
        return new JedisCluster(nodes); // feature: cluster
    }
}
