from django.db import models


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)

    def __str__(self):
        return self.name


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    category = models.ForeignKey(Category, related_name="products", on_delete=models.PROTECT)
    # The list price; the price customers see is published to Redis by catalog.tasks.
    list_price_cents = models.PositiveIntegerField()
    discount_percent = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.sku

    def selling_price_cents(self):
        return self.list_price_cents * (100 - self.discount_percent) // 100
