import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalog_site.settings")

app = Celery("catalog_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "publish-prices": {
        "task": "catalog.tasks.publish_prices",
        "schedule": crontab(minute="*/15"),
    },
}
