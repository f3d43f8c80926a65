package com.acme.orders.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;

@Service
public class OrderService {

    private static final String EVENTS = "orders:events";

    private final RedissonClient redisson;
    private final StringRedisTemplate redis;
    private final IdempotencyKeys idempotency;
    // Stands in for the orders table of the real service.
    private final Map<String, Order> orders = new ConcurrentHashMap<>();

    public OrderService(RedissonClient redisson, StringRedisTemplate redis, IdempotencyKeys idempotency) {
        this.redisson = redisson;
        this.redis = redis;
        this.idempotency = idempotency;
    }

    public Order place(String customerId, String idempotencyKey, List<Order.Line> lines) throws InterruptedException {
        String newId = UUID.randomUUID().toString();
        var existing = idempotency.claim(customerId, idempotencyKey, newId);
        if (existing.isPresent()) {
            return find(existing.get());
        }
        // One checkout per customer at a time: the credit check below reads then writes.
        RLock lock = redisson.getLock("checkout-lock:" + customerId);
        if (!lock.tryLock(2, 30, TimeUnit.SECONDS)) {
            throw new CheckoutBusyException(customerId);
        }
        try {
            Order order = new Order(newId, customerId, lines, Order.totalOf(lines), Order.Status.PLACED, Instant.now());
            orders.put(order.id(), order);
            redis.opsForStream().add(StreamRecords.string(Map.of(
                    "type", "order-placed", "orderId", order.id(), "total", order.total().toPlainString()))
                    .withStreamKey(EVENTS));
            return order;
        } finally {
            lock.unlock();
        }
    }

    @Cacheable(cacheNames = "order", key = "#id")
    public Order find(String id) {
        Order order = orders.get(id);
        if (order == null) {
            throw new OrderNotFoundException(id);
        }
        return order;
    }

    @CacheEvict(cacheNames = "order", key = "#id")
    public Order cancel(String id) {
        Order order = find(id);
        Order cancelled = new Order(order.id(), order.customerId(), order.lines(), order.total(), Order.Status.CANCELLED, order.createdAt());
        orders.put(id, cancelled);
        redis.opsForStream().add(StreamRecords.string(Map.of("type", "order-cancelled", "orderId", id)).withStreamKey(EVENTS));
        return cancelled;
    }

    public static class CheckoutBusyException extends RuntimeException {
        CheckoutBusyException(String customerId) {
            super("another checkout is running for customer " + customerId);
        }
    }

    public static class OrderNotFoundException extends RuntimeException {
        OrderNotFoundException(String id) {
            super("no order " + id);
        }
    }
}
