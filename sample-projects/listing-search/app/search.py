from dataclasses import dataclass

from redis.commands.search.aggregation import AggregateRequest, Desc
from redis.commands.search.reducers import count

from .connection import redis_client
from .models import Listing


@dataclass
class SearchParams:
    city: str
    text: str | None = None
    max_rent: int | None = None
    min_bedrooms: int | None = None
    furnished: bool | None = None
    offset: int = 0
    limit: int = 20


def find_listings(p: SearchParams) -> list[Listing]:
    query = Listing.city == p.city
    if p.text:
        query &= Listing.title % p.text
    if p.max_rent is not None:
        query &= Listing.rent_eur <= p.max_rent
    if p.min_bedrooms is not None:
        query &= Listing.bedrooms >= p.min_bedrooms
    if p.furnished is not None:
        query &= Listing.furnished == p.furnished
    return Listing.find(query).sort_by("rent_eur").page(offset=p.offset, limit=p.limit)


def district_counts(city: str) -> dict[str, int]:
    """Facet counts for the filter sidebar: listings per district in one city."""
    index = redis_client().ft(Listing.Meta.index_name)
    request = (
        AggregateRequest(f"@city:{{{escape_tag(city)}}}")
        .group_by("@district", count().alias("n"))
        .sort_by(Desc("@n"), max=50)
    )
    rows = index.aggregate(request).rows
    return {row[1]: int(row[3]) for row in rows}


def escape_tag(value: str) -> str:
    # TAG queries need every punctuation character and space escaped.
    return "".join(f"\\{c}" if not c.isalnum() else c for c in value)
