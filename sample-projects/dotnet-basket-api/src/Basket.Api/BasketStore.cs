using System.Text.Json;
using StackExchange.Redis;

namespace Basket.Api;

public sealed record BasketLine(string Sku, int Quantity);

public sealed class BasketStore(IConnectionMultiplexer redis)
{
    // Abandoned baskets are kept for a month for the "you left something behind" e-mail.
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    public static readonly RedisChannel Updates = RedisChannel.Literal("basket-updated");

    public static RedisKey KeyFor(string customerId) => $"basket:{customerId.Trim().ToLowerInvariant()}";

    public async Task<IReadOnlyList<BasketLine>> GetAsync(string customerId)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(KeyFor(customerId));
        return entries.Select(e => new BasketLine(e.Name!, (int)e.Value)).OrderBy(l => l.Sku).ToList();
    }

    public async Task<int> AddAsync(string customerId, string sku, int quantity)
    {
        var db = redis.GetDatabase();
        var key = KeyFor(customerId);
        var tx = db.CreateTransaction();
        var total = tx.HashIncrementAsync(key, sku, quantity);
        _ = tx.KeyExpireAsync(key, Retention);
        await tx.ExecuteAsync();
        await Publish(customerId);
        return (int)await total;
    }

    public async Task RemoveAsync(string customerId, string sku)
    {
        await redis.GetDatabase().HashDeleteAsync(KeyFor(customerId), sku);
        await Publish(customerId);
    }

    public async Task ClearAsync(string customerId)
    {
        await redis.GetDatabase().KeyDeleteAsync(KeyFor(customerId));
        await Publish(customerId);
    }

    private Task<long> Publish(string customerId) =>
        redis.GetSubscriber().PublishAsync(Updates, JsonSerializer.Serialize(new { customerId }));
}
