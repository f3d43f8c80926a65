class Listing:
    """Same name as the redis-om model in app/, but a plain class."""

    @classmethod
    def find(cls, query):
        return []

    @classmethod
    def get(cls, pk):
        return None
