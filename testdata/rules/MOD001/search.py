import redis

r = redis.Redis(host="cache", port=6379)


def run():
    r.ft("idx:docs").search("hello")
    r.ft("idx:docs").aliasadd("docs")
    r.json().merge("doc:1", "$", {"a": 1})
    r.json().set("doc:1", "$", {"a": 1})
    r.ts().add("temp", "*", 1.0)
    r.execute_command("CF.RESERVE", "seen", 1000)
    r.execute_command("FT.ADD", "idx", "doc1", 1.0, "FIELDS", "title", "x")
    index = r.ft("idx:docs")
    return index
