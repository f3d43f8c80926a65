from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from . import prices
from .models import Category, Product
from .tasks import reprice_category


def _product_json(product, price):
    return {
        "sku": product.sku,
        "name": product.name,
        "price_cents": price if price is not None else product.selling_price_cents(),
    }


@require_GET
def product_detail(request, sku):
    product = get_object_or_404(Product, sku=sku)
    return JsonResponse(_product_json(product, prices.price_of(sku)))


@require_GET
def category_page(request, slug):
    key = f"category-page:{slug}"
    page = cache.get(key)
    if page is None:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404(slug)
        products = list(category.products.order_by("name")[:100])
        page = {"category": category.name, "products": [{"sku": p.sku, "name": p.name} for p in products]}
        cache.set(key, page, timeout=600)
    current = prices.prices_of([p["sku"] for p in page["products"]])
    for p in page["products"]:
        p["price_cents"] = current[p["sku"]]
    return JsonResponse(page)


@require_POST
def start_sale(request, slug, percent):
    if not 0 <= percent <= 90:
        return JsonResponse({"error": "discount must be between 0 and 90"}, status=400)
    result = reprice_category.delay(slug, percent)
    return JsonResponse({"task": result.id}, status=202)
