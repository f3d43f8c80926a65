from django.urls import path

from . import views

urlpatterns = [
    path("products/<str:sku>", views.product_detail),
    path("categories/<slug:slug>", views.category_page),
    path("categories/<slug:slug>/sale/<int:percent>", views.start_sale),
]
