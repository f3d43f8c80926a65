package com.acme.orders.domain;

import java.time.Duration;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Remembers the order created for each client-supplied Idempotency-Key for a day, so a retried
 * POST returns the first order instead of creating a second one.
 */
@Component
public class IdempotencyKeys {

    static final Duration RETENTION = Duration.ofHours(24);

    private final StringRedisTemplate redis;

    public IdempotencyKeys(StringRedisTemplate redis) {
        this.redis = redis;
    }

    static String keyFor(String customerId, String idempotencyKey) {
        return "idem:" + customerId + ":" + idempotencyKey.strip();
    }

    /** Claims the key for a new order id; returns the id already recorded when it was claimed before. */
    public Optional<String> claim(String customerId, String idempotencyKey, String newOrderId) {
        String key = keyFor(customerId, idempotencyKey);
        Boolean claimed = redis.opsForValue().setIfAbsent(key, newOrderId, RETENTION);
        if (Boolean.TRUE.equals(claimed)) {
            return Optional.empty();
        }
        return Optional.ofNullable(redis.opsForValue().get(key));
    }
}
