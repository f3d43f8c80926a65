"""Catalogue search on redis-py with the search, JSON and probabilistic modules."""
import redis
from redis.commands.search.field import NumericField, TagField, TextField, VectorField
from redis.commands.search.indexDefinition import IndexDefinition, IndexType
from redis.commands.search.query import Query

r = redis.Redis(host="localhost", port=6379, decode_responses=True)


def create_index():
    schema = (TextField("$.name", as_name="name"), NumericField("$.price", as_name="price"))
    r.ft("idx:items").create_index(  # expect: FT.CREATE
        schema, definition=IndexDefinition(prefix=["item:"], index_type=IndexType.JSON)
    )


def search(text):
    index = r.ft("idx:items")
    res = index.search(Query(text).paging(0, 10))  # expect: FT.SEARCH
    info = index.info()  # expect: FT.INFO
    return res, info


def store(item_id, doc):
    r.json().set(f"item:{item_id}", "$", doc)  # expect: JSON.SET
    r.json().arrappend(f"item:{item_id}", "$.tags", "new")  # expect: JSON.ARRAPPEND
    return r.json().get(f"item:{item_id}")  # expect: JSON.GET


def probabilistic():
    r.bf().add("seen", "a")  # expect: BF.ADD
    r.cms().incrby("sketch", ["a"], [1])  # expect: CMS.INCRBY
    r.tdigest().add("latency", [1.0, 2.0])  # expect: TDIGEST.ADD
    r.ts().add("temp", "*", 21.5)  # expect: TS.ADD
    r.vset().vadd("vs", [0.1, 0.2], "item")  # expect: VADD
    r.execute_command("FT.DROPINDEX", "idx:old")  # expect: FT.DROPINDEX
    r.execute_command("ft.sugadd", "ac", "hello", 1)  # expect: FT.SUGADD
    r.execute_command("FT.SEARCH idx:items @name:foo")  # expect: FT.SEARCH


def graph():
    return r.graph("social").query("MATCH (n) RETURN n")  # expect: GRAPH.QUERY
