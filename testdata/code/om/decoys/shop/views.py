from .products import Product
from .cache import redis_client


async def cheap(pid):
    redis_client().set("last", pid)
    return await Product.find(Product.price < 10).to_list(), await Product.get(pid)
