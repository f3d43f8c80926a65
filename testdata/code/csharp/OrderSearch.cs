using NRedisStack;
using NRedisStack.RedisStackCommands;
using NRedisStack.Search;
using StackExchange.Redis;

namespace Shop.Search;

public class OrderSearch
{
    private readonly IDatabase db;

    public OrderSearch(IConnectionMultiplexer redis) => db = redis.GetDatabase();

    public async Task<SearchResult> FindAsync(string text)
    {
        var ft = db.FT();
        await ft.CreateAsync("idx:orders", new FTCreateParams(), new Schema().AddTextField("customer")); // expect: FT.CREATE
        return await ft.SearchAsync("idx:orders", new Query(text)); // expect: FT.SEARCH
    }

    public void Save(string id, object order)
    {
        db.JSON().Set($"order:{id}", "$", order); // expect: JSON.SET
        db.TS().Add("orders:count", 1, 1.0); // expect: TS.ADD
        db.TOPK().Add("top-products", "a"); // expect: TOPK.ADD
        db.Execute("FT.ALTER", "idx:orders", "SCHEMA", "ADD", "total", "NUMERIC"); // expect: FT.ALTER
        db.HashFieldExpire($"order:{id}", new RedisValue[] { "lock" }, TimeSpan.FromMinutes(5)); // expect: HPEXPIRE
        var raw = @"FT.SEARCH in a verbatim string with text after it";
        Console.WriteLine(raw);
    }
}
