import redis
from redis.cache import CacheConfig
from redis.cluster import RedisCluster
from redis.maint_notifications import MaintNotificationsConfig
from redis.sentinel import Sentinel
from numba import jit


def cached():
    return redis.Redis.from_url(
        "redis://cache:6379",
        protocol=3,  # feature: resp3
        cache_config=CacheConfig(max_size=1000),  # feature: client-side-caching
    )


def plain():
    return redis.Redis(host="db", protocol=2, maint_notifications_config=MaintNotificationsConfig(enabled=False))  # feature: resp2 maint-notifications-off


def ha():
    sentinel = Sentinel([("s0", 26379)], socket_timeout=0.1)  # feature: sentinel
    cluster = RedisCluster(host="c0", port=7000)  # feature: cluster
    return sentinel.master_for("mymaster"), cluster


# Decoys: other libraries' options of the same names, comparisons and comments.
@jit(cache=True)
def fast(x, protocol):
    if protocol == 3:
        return x
    opts = dict(protocol=3, cache_config=None)
    # redis.Redis(protocol=3, cache_config=CacheConfig())
    return opts
