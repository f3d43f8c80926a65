"""A model that inherits from a model of another module."""

from .models import Listing


class PremiumListing(Listing):
    badge: str
