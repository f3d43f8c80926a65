"""Listings are JSON documents indexed by RediSearch (redis-om creates the index)."""

import datetime

from redis_om import Field, JsonModel


class Listing(JsonModel, index=True):
    title: str = Field(full_text_search=True)
    description: str = Field(full_text_search=True)
    city: str = Field(index=True)
    district: str = Field(index=True)
    rent_eur: int = Field(index=True, sortable=True)
    bedrooms: int = Field(index=True)
    furnished: bool = Field(index=True)
    available_from: datetime.date = Field(index=True, sortable=True)

    class Meta:
        global_key_prefix = "ls"
        model_key_prefix = "listing"
