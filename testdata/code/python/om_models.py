from typing import Optional

from redis_om import EmbeddedJsonModel, Field, JsonModel, Migrator


class Address(EmbeddedJsonModel):  # expect: JSON.SET
    city: str = Field(index=True)


class Customer(JsonModel):  # expect: JSON.SET
    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    address: Optional[Address] = None


def setup():
    Migrator().run()  # expect: FT.CREATE


def by_name(name):
    return Customer.find(Customer.last_name == name).all()  # expect: FT.SEARCH
