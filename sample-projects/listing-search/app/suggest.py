"""Autocomplete for the search box: districts and street names, weighted by popularity."""

from redis.commands.search.suggestion import Suggestion

from .connection import redis_client

SUGGEST_KEY = "ls:suggest:{city}"


def add_suggestions(city: str, names_with_weights: dict[str, float]) -> None:
    suggestions = [Suggestion(name, score) for name, score in names_with_weights.items()]
    redis_client().ft().sugadd(SUGGEST_KEY.format(city=city.lower()), *suggestions, increment=True)


def suggest(city: str, prefix: str, limit: int = 8) -> list[str]:
    if len(prefix) < 2:
        return []
    found = redis_client().ft().sugget(SUGGEST_KEY.format(city=city.lower()), prefix, fuzzy=len(prefix) > 4, num=limit)
    return [s.string for s in found]
