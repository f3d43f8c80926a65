using Basket.Api;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);

var redisSettings = builder.Configuration.GetSection("Redis").Get<RedisSettings>() ?? new RedisSettings();
builder.Services.AddSingleton<IConnectionMultiplexer>(_ => RedisConnection.Connect(redisSettings, Console.Out));
builder.Services.AddSingleton<BasketStore>();
builder.Services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: "redis");

var app = builder.Build();

app.MapGet("/baskets/{customerId}", async (string customerId, BasketStore store) =>
    Results.Ok(await store.GetAsync(customerId)));

app.MapPost("/baskets/{customerId}/lines", async (string customerId, BasketLine line, BasketStore store) =>
{
    if (line.Quantity <= 0 || string.IsNullOrWhiteSpace(line.Sku))
    {
        return Results.BadRequest("sku and a positive quantity are required");
    }
    var quantity = await store.AddAsync(customerId, line.Sku, line.Quantity);
    return Results.Ok(new BasketLine(line.Sku, quantity));
});

app.MapDelete("/baskets/{customerId}/lines/{sku}", async (string customerId, string sku, BasketStore store) =>
{
    await store.RemoveAsync(customerId, sku);
    return Results.NoContent();
});

app.MapDelete("/baskets/{customerId}", async (string customerId, BasketStore store) =>
{
    await store.ClearAsync(customerId);
    return Results.NoContent();
});

app.MapHealthChecks("/healthz");

app.Run();

public partial class Program;
