using StackExchange.Redis;

public static class RedisConnection
{
    public static ConfigurationOptions Options(string service) => new ConfigurationOptions
    {
        ServiceName = service, // feature: sentinel
        AbortOnConnectFail = false,
    };

    public static IConnectionMultiplexer FromString() =>
        ConnectionMultiplexer.Connect("s0:26379,serviceName=mymaster"); // feature: sentinel

    // Decoy: reading the property is not setting it.
    public static bool SameService(ConfigurationOptions a, string s) => a.ServiceName == s;
}
