from contextlib import asynccontextmanager

from fastapi import FastAPI, Query
from redis_om import Migrator

from . import analytics, search, suggest
from .models import Listing


@asynccontextmanager
async def lifespan(app: FastAPI):
    # Creates or updates the RediSearch index for Listing (FT.CREATE).
    Migrator().run()
    yield


app = FastAPI(title="listing-search", lifespan=lifespan)


@app.get("/search")
def search_listings(
    city: str,
    q: str | None = None,
    max_rent: int | None = None,
    min_bedrooms: int | None = None,
    furnished: bool | None = None,
    page: int = Query(0, ge=0),
):
    params = search.SearchParams(
        city=city, text=q, max_rent=max_rent, min_bedrooms=min_bedrooms, furnished=furnished, offset=page * 20
    )
    results = search.find_listings(params)
    analytics.record_search(city, len(results))
    return {"results": [r.model_dump() for r in results], "districts": search.district_counts(city)}


@app.get("/suggest")
def suggest_names(city: str, prefix: str):
    return {"suggestions": suggest.suggest(city, prefix)}


@app.get("/listings/{pk}")
def get_listing(pk: str):
    return Listing.get(pk).model_dump()


@app.get("/stats/searches")
def search_stats(city: str | None = None):
    if city:
        return {"per_hour": analytics.searches_per_hour(city)}
    return {"busiest": analytics.busiest_cities()}
