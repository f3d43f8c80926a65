package com.example.docs;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.json.JSONArray;
import org.json.JSONObject;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.redis.core.StringRedisTemplate;

// Decoy: a MongoDB @Document, org.json and Jackson in a class that also caches in Redis.
@Document(collection = "people")
public class Documents {
    private final ObjectMapper mapper = new ObjectMapper();
    private final StringRedisTemplate redis;

    public Documents(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public String toJson(Object o) throws Exception {
        JSONObject obj = new JSONObject();
        JSONArray arr = new JSONArray();
        obj.put("arr", arr);
        String json = mapper.writeValueAsString(o);
        redis.opsForValue().set("last", json);
        String note = "JSON.SET is what RedisJSON would use";
        return obj.toString() + note;
    }
}
