"""A real Python client against a server: handshake, a workload, pub/sub.

usage: py_client.py <site dir> <module: redis|valkey> <port> <resp 2|3>
Prints one line per check and DONE; any failure exits non-zero."""

import sys
import threading
import time

site, module, port, resp = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, site)
lib = __import__(module)


def check(label, got, want):
    if got != want:
        raise SystemExit(f"{label}: got {got!r}, want {want!r}")
    print(f"ok {label}")


Client = lib.Redis if module == "redis" else lib.Valkey
c = Client(host="127.0.0.1", port=port, protocol=resp, decode_responses=True)
print(module, lib.__version__, f"resp{resp}")
check("ping", c.ping(), True)
check("set", c.set("k", "v", ex=100), True)
check("get", c.get("k"), "v")
check("incr", c.incrby("n", 5), 5)
check("hset", c.hset("h", mapping={"a": "1", "b": "2"}), 2)
check("hgetall", c.hgetall("h"), {"a": "1", "b": "2"})
check("lpush", c.lpush("l", "x", "y"), 2)
check("lrange", c.lrange("l", 0, -1), ["y", "x"])
check("zadd", c.zadd("z", {"a": 1, "b": 2.5}), 2)
check("zrange", [tuple(x) for x in c.zrange("z", 0, -1, withscores=True)], [("a", 1.0), ("b", 2.5)])
check("zincrby", c.zincrby("z", 0.5, "a"), 1.5)
check("ttl", c.ttl("k") > 90, True)
check("scan", sorted(c.scan_iter(match="*")), ["h", "k", "l", "n", "z"])
pipe = c.pipeline(transaction=True)
pipe.set("t", "1").incr("t").get("t")
check("multi", pipe.execute(), [True, 2, "2"])
try:
    c.lpush("k", "x")
    raise SystemExit("wrongtype: no error")
except lib.exceptions.ResponseError as e:
    check("wrongtype", str(e), "WRONGTYPE Operation against a key holding the wrong kind of value")
check("client name", c.client_setname("py"), True)
check("info", c.info("server").get("redis_version") is not None, True)

p = c.pubsub()
p.subscribe("news")
p.psubscribe("ne*")
for _ in range(2):
    m = p.get_message(timeout=2)
    check("subscribed", m["type"] in ("subscribe", "psubscribe"), True)
check("publish", c.publish("news", "hello"), 2)
got = sorted((m["type"], m["channel"], m["data"]) for m in (p.get_message(timeout=2) for _ in range(2)))
check("messages", got, [("message", "news", "hello"), ("pmessage", "news", "hello")])
p.close()

result = {}
def waiter():
    result["pop"] = Client(host="127.0.0.1", port=port, protocol=resp, decode_responses=True).blpop(["q"], timeout=5)
t = threading.Thread(target=waiter)
t.start()
time.sleep(0.1)
c.rpush("q", "job")
t.join()
check("blpop", tuple(result["pop"]), ("q", "job"))
print("DONE")
