import os
from functools import cache

import redis

REDIS_URL = os.environ.get("REDIS_OM_URL", "redis://localhost:6379")


@cache
def redis_client() -> redis.Redis:
    # redis-om reads REDIS_OM_URL itself; this client serves the raw Search and TimeSeries calls.
    return redis.Redis.from_url(REDIS_URL, decode_responses=True)
