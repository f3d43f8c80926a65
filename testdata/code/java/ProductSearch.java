package com.example.search;

import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.search.Query;
import redis.clients.jedis.search.SearchResult;
import redis.clients.jedis.json.Path2;

public class ProductSearch {
    private final JedisPooled jedis = new JedisPooled("localhost", 6379);

    public SearchResult search(String text) {
        jedis.ftCreate("idx:products", List.of()); // expect: FT.CREATE
        return jedis.ftSearch("idx:products", new Query(text)); // expect: FT.SEARCH
    }

    public void save(String id, Object doc) {
        jedis.jsonSet("product:" + id, Path2.ROOT_PATH, doc); // expect: JSON.SET
        jedis.bfAdd("seen", id); // expect: BF.ADD
        jedis.tdigestAdd("latency", 1.0, 2.0); // expect: TDIGEST.ADD
        jedis.vadd("vs", new float[] {0.1f, 0.2f}, id); // expect: VADD
        jedis.sendCommand(() -> "FT.DROPINDEX".getBytes(), "idx:old"); // expect: FT.DROPINDEX
    }
}
