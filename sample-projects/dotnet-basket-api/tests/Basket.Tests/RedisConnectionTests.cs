using Basket.Api;
using Xunit;

public class RedisConnectionTests
{
    [Fact]
    public void EverySentinelBecomesAnEndpointAndTheServiceNameIsKept()
    {
        var options = RedisConnection.Options(new RedisSettings { Sentinels = "s0:26379, s1:26379,,s2:26379", ServiceName = "basket" });

        Assert.Equal(3, options.EndPoints.Count);
        Assert.Equal("basket", options.ServiceName);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void BasketKeysIgnoreCaseAndSpaces()
    {
        Assert.Equal(BasketStore.KeyFor("C-42"), BasketStore.KeyFor(" c-42 "));
        Assert.Equal("basket:c-42", BasketStore.KeyFor("C-42").ToString());
    }
}
