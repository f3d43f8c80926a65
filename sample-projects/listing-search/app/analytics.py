"""Search analytics in RedisTimeSeries: one series per city, summed per minute."""

import time

from .connection import redis_client

RETENTION_MS = 30 * 24 * 3600 * 1000


def series_key(city: str) -> str:
    return f"ls:ts:searches:{city.lower()}"


def record_search(city: str, results: int) -> None:
    ts = redis_client().ts()
    key = series_key(city)
    ts.add(
        key,
        "*",
        1,
        retention_msecs=RETENTION_MS,
        duplicate_policy="sum",
        labels={"metric": "searches", "city": city.lower()},
    )
    if results == 0:
        ts.add(key + ":empty", "*", 1, retention_msecs=RETENTION_MS, duplicate_policy="sum",
               labels={"metric": "empty-searches", "city": city.lower()})


def searches_per_hour(city: str, hours: int = 24) -> list[tuple[int, float]]:
    now = int(time.time() * 1000)
    return redis_client().ts().range(
        series_key(city), now - hours * 3600 * 1000, now, aggregation_type="sum", bucket_size_msec=3600 * 1000
    )


def busiest_cities(hours: int = 1) -> dict[str, float]:
    now = int(time.time() * 1000)
    replies = redis_client().execute_command(
        "TS.MRANGE", now - hours * 3600 * 1000, now,
        "AGGREGATION", "sum", hours * 3600 * 1000,
        "FILTER", "metric=searches",
        "GROUPBY", "city", "REDUCE", "sum",
    )
    totals = {}
    for name, _labels, samples in replies:
        city = name.split("=", 1)[1]
        totals[city] = sum(float(v) for _, v in samples)
    return dict(sorted(totals.items(), key=lambda kv: kv[1], reverse=True))
