from redis_om import EmbeddedJsonModel, Field, HashModel, JsonModel


class Address(EmbeddedJsonModel):  # expect: JSON.SET
    city: str = Field(index=True)


class Listing(JsonModel, index=True):  # expect: JSON.SET
    title: str = Field(full_text_search=True)
    city: str = Field(index=True)


class Session(HashModel):
    user: str = Field(index=True)


def cheapest(city):
    # A model queried in the file that defines it.
    return Listing.find(Listing.city == city).sort_by("rent").first()  # expect: FT.SEARCH
