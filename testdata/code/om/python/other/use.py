from .listing import Listing


def lookup(pk):
    return Listing.get(pk), Listing.find("q")
