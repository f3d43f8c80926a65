using System.Text.Json;
using StackExchange.Redis;

namespace Shop.Infra;

// Decoy: System.Text.Json and a [Document] attribute of another library, next to a Redis cache.
[Document("orders")]
public class Serializer
{
    private readonly IDatabase cache;

    public Serializer(IDatabase cache) => this.cache = cache;

    public string Write(object o)
    {
        var json = JsonSerializer.Serialize(o);
        var doc = JsonDocument.Parse(json);
        cache.StringSet("last", json);
        var ts = DateTime.UtcNow.Ticks;
        return doc.RootElement.GetProperty("ft").ToString() + ts;
    }
}

public sealed class DocumentAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
