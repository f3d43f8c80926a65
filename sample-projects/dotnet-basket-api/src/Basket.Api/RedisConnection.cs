using StackExchange.Redis;

namespace Basket.Api;

public sealed class RedisSettings
{
    /// <summary>Comma-separated sentinel endpoints, e.g. "sentinel-0:26379,sentinel-1:26379".</summary>
    public string Sentinels { get; set; } = "localhost:26379";

    /// <summary>The name the sentinels monitor the primary under (`sentinel monitor NAME …`).</summary>
    public string ServiceName { get; set; } = "basket";

    public string? Password { get; set; }
}

public static class RedisConnection
{
    public static ConfigurationOptions Options(RedisSettings settings)
    {
        var options = new ConfigurationOptions
        {
            ServiceName = settings.ServiceName,
            Password = settings.Password,
            AbortOnConnectFail = false,
            ConnectRetry = 5,
            ConnectTimeout = 5000,
            SyncTimeout = 1000,
            ClientName = "basket-api",
        };
        foreach (var endpoint in settings.Sentinels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            options.EndPoints.Add(endpoint);
        }
        return options;
    }

    /// <summary>
    /// Connects through the sentinels: StackExchange.Redis asks them for the current primary and
    /// follows failovers.
    /// </summary>
    public static IConnectionMultiplexer Connect(RedisSettings settings, TextWriter? log = null) =>
        ConnectionMultiplexer.Connect(Options(settings), log);
}
