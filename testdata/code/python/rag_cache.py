from redisvl.extensions.llmcache import SemanticCache
from redisvl.index import SearchIndex
from redisvl.query import VectorQuery

index = SearchIndex.from_yaml("schema.yaml")  # expect: FT.CREATE FT.SEARCH
index.create(overwrite=True)

llmcache = SemanticCache(name="llmcache", redis_url="redis://localhost:6379")  # expect: FT.CREATE FT.SEARCH


def ask(vector):
    q = VectorQuery(vector=vector, vector_field_name="embedding", num_results=3)
    return index.query(q)
