from unittest import mock

from django.test import TestCase, override_settings

from .models import Category, Product


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
class ProductDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        shoes = Category.objects.create(slug="shoes", name="Shoes")
        Product.objects.create(sku="SH-100", name="Trail runner", category=shoes, list_price_cents=12000, discount_percent=25)

    def test_published_price_wins(self):
        with mock.patch("catalog.prices.price_of", return_value=8999):
            response = self.client.get("/api/products/SH-100")
        self.assertEqual(response.json()["price_cents"], 8999)

    def test_falls_back_to_the_database_price(self):
        with mock.patch("catalog.prices.price_of", return_value=None):
            response = self.client.get("/api/products/SH-100")
        self.assertEqual(response.json()["price_cents"], 9000)

    def test_unknown_sku_is_404(self):
        with mock.patch("catalog.prices.price_of", return_value=None):
            self.assertEqual(self.client.get("/api/products/NOPE").status_code, 404)
