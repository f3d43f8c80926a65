"""Beanie (MongoDB) documents: the same find/get shapes as redis-om."""

from beanie import Document


class Product(Document):
    name: str
    price: float
