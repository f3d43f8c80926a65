import redis

r = redis.Redis(host="cache", decode_responses=True)
