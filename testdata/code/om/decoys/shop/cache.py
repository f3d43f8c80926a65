import redis


def redis_client():
    return redis.Redis()
