import redis
from redis.maint_notifications import MaintNotificationsConfig

r = redis.Redis(host="cache", maint_notifications_config=MaintNotificationsConfig(enabled=False))
