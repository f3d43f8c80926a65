using StackExchange.Redis;

public static class Redis
{
    public static IConnectionMultiplexer Connect() =>
        ConnectionMultiplexer.Connect(new ConfigurationOptions { ServiceName = "cart", EndPoints = { "s0:26379" } });
}
