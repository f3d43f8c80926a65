from app.models import Address
from .models import Listing, Session as Sess
from .premium import PremiumListing
from .settings import Config


def run(q, pk, config):
    found = Listing.find(Listing.city == q).all()  # expect: FT.SEARCH
    one = Listing.get(pk)  # expect: JSON.GET
    # A hash model: Session.get reads the hash with HGETALL, a core command.
    session = Sess.get(pk)
    mine = Sess.find(Sess.user == q).first()  # expect: FT.SEARCH
    premium = PremiumListing.find().all()  # expect: FT.SEARCH
    # Not models: a settings class and ordinary finds and gets.
    timeout = Config.get("timeout")
    where = q.find(",")
    value = config.get("x")
    return found, one, session, mine, premium, Address, timeout, where, value
