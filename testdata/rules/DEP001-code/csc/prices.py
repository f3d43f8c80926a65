import redis
from redis.cache import CacheConfig


def client():
    return redis.Redis(host="cache", protocol=3, cache_config=CacheConfig(max_size=1000))
