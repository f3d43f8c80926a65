package com.acme.orders.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

public record Order(String id, String customerId, List<Line> lines, BigDecimal total, Status status, Instant createdAt) {

    public enum Status { PLACED, PAID, CANCELLED }

    public record Line(String sku, int quantity, BigDecimal unitPrice) {
        BigDecimal amount() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }

    public static BigDecimal totalOf(List<Line> lines) {
        return lines.stream().map(Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
