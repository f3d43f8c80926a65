"""Selling prices, published by catalog.tasks and read on every product page.

Prices change a few times a day and are read thousands of times a second, so the web
processes keep a local copy with redis-py's client-side caching (RESP3): Redis tells each
process when a price it holds has changed, and the next read goes to the server again.
"""

import functools

import redis
from django.conf import settings
from redis.cache import CacheConfig

PRICE_KEY = "price:{sku}"


@functools.cache
def client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.PRICE_REDIS_URL,
        protocol=3,
        cache_config=CacheConfig(max_size=settings.PRICE_CACHE_SIZE),
        decode_responses=True,
        health_check_interval=30,
    )


def price_of(sku: str) -> int | None:
    value = client().get(PRICE_KEY.format(sku=sku))
    return int(value) if value is not None else None


def prices_of(skus: list[str]) -> dict[str, int | None]:
    values = client().mget([PRICE_KEY.format(sku=s) for s in skus])
    return {sku: int(v) if v is not None else None for sku, v in zip(skus, values)}


def publish(prices: dict[str, int]) -> None:
    pipe = client().pipeline(transaction=False)
    for sku, cents in prices.items():
        pipe.set(PRICE_KEY.format(sku=sku), cents)
    pipe.execute()
