package com.acme.jpa;

import org.springframework.data.redis.core.StringRedisTemplate;

public class OrderService {
    private final OrderRepository orders;
    private final StringRedisTemplate redis;

    OrderService(OrderRepository orders, StringRedisTemplate redis) {
        this.orders = orders;
        this.redis = redis;
    }

    List<Order> of(String customer) {
        redis.opsForValue().get("x");
        orders.save(new Order());
        return orders.findByCustomer(customer);
    }
}
