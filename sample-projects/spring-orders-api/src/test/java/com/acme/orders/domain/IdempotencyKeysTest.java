package com.acme.orders.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {

    @Test
    void keysAreScopedPerCustomerAndIgnoreSurroundingSpaces() {
        assertThat(IdempotencyKeys.keyFor("c-1", " 6f1d ")).isEqualTo("idem:c-1:6f1d");
        assertThat(IdempotencyKeys.keyFor("c-2", "6f1d")).isNotEqualTo(IdempotencyKeys.keyFor("c-1", "6f1d"));
    }

    @Test
    void totalSumsEveryLine() {
        var lines = List.of(new Order.Line("A", 2, new BigDecimal("9.95")), new Order.Line("B", 1, new BigDecimal("0.10")));
        assertThat(Order.totalOf(lines)).isEqualByComparingTo("20.00");
    }
}
