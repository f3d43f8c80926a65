from celery import shared_task
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from . import prices
from .models import Product

BATCH = 500


@shared_task
def publish_prices():
    """Copies the selling price of every product into Redis, in batches."""
    batch = {}
    published = 0
    for product in Product.objects.only("sku", "list_price_cents", "discount_percent").iterator(chunk_size=BATCH):
        batch[product.sku] = product.selling_price_cents()
        if len(batch) == BATCH:
            prices.publish(batch)
            published += len(batch)
            batch = {}
    if batch:
        prices.publish(batch)
        published += len(batch)
    return published


@shared_task(autoretry_for=(RedisConnectionError,), retry_backoff=True, max_retries=5)
def reprice_category(slug, discount_percent):
    products = Product.objects.filter(category__slug=slug)
    updated = products.update(discount_percent=discount_percent)
    prices.publish({p.sku: p.selling_price_cents() for p in products.only("sku", "list_price_cents", "discount_percent")})
    cache.delete(f"category-page:{slug}")
    return updated
