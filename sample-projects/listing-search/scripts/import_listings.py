"""Loads the nightly listings export (JSON lines) and refreshes the autocomplete entries.

    uv run python -m scripts.import_listings exports/listings-2026-11-25.jsonl
"""

import collections
import json
import sys

from app.connection import redis_client
from app.models import Listing
from app.suggest import add_suggestions

BATCH = 1000


def main(path: str) -> None:
    r = redis_client()
    districts = collections.defaultdict(collections.Counter)
    pipe = r.pipeline(transaction=False)
    with open(path, encoding="utf-8") as export:
        for n, line in enumerate(export, 1):
            row = json.loads(line)
            listing = Listing(**row)
            # JSON.SET straight through the pipeline: Listing.save() would cost a round trip each.
            pipe.json().set(listing.key(), "$", json.loads(listing.model_dump_json()))
            districts[listing.city][listing.district] += 1
            if n % BATCH == 0:
                pipe.execute()
    pipe.execute()
    for city, counts in districts.items():
        add_suggestions(city, {name: float(count) for name, count in counts.items()})


if __name__ == "__main__":
    main(sys.argv[1])
