package com.acme.orders.api;

import java.util.List;

import com.acme.orders.domain.Order;
import com.acme.orders.domain.OrderService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/orders")
class OrderController {

    record PlaceOrder(@NotBlank String customerId, @NotEmpty List<Order.Line> lines) {}

    private final OrderService service;

    OrderController(OrderService service) {
        this.service = service;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Order place(@RequestHeader("Idempotency-Key") String idempotencyKey, @Valid @RequestBody PlaceOrder body)
            throws InterruptedException {
        return service.place(body.customerId(), idempotencyKey, body.lines());
    }

    @GetMapping("/{id}")
    Order get(@PathVariable String id) {
        return service.find(id);
    }

    @DeleteMapping("/{id}")
    Order cancel(@PathVariable String id) {
        return service.cancel(id);
    }

    @ExceptionHandler(OrderService.OrderNotFoundException.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(OrderService.OrderNotFoundException e) {
        return e.getMessage();
    }

    @ExceptionHandler(OrderService.CheckoutBusyException.class)
    @ResponseStatus(HttpStatus.CONFLICT)
    String busy(OrderService.CheckoutBusyException e) {
        return e.getMessage();
    }
}
