using System.Text;
using System.Text.Json;

namespace TokenTelemetry.Benchmarks;

/// <summary>Deterministic filler for generated agent logs: prose and code-like text (quotes, backslashes, newlines,
/// so JSON escaping is exercised), ids in the shapes the tools write, and the JSON-escaped form ready to splice in.</summary>
public sealed class CorpusText(int seed)
{
    private const string Prose = "The cart total ignores discounts when the basket holds a bundle, so the checkout rounds twice. ";
    private const string Code = "export function total(items: Item[]): number {\n  return items.reduce((s, i) => s + i.price * i.qty, 0); // \"cents\"\n}\n\tconst path = \"C:\\\\src\\\\cart.ts\";\n";
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly Random _random = new(seed);

    public int Next(int min, int max) => _random.Next(min, max);
    public bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>About <paramref name="length"/> characters of prose or code, JSON-escaped (without quotes).</summary>
    public string Escaped(int length)
    {
        var source = Chance(0.5) ? Prose : Code;
        var text = new StringBuilder(length + source.Length);
        var start = _random.Next(source.Length);
        text.Append(source, start, source.Length - start);
        while (text.Length < length) text.Append(source);
        text.Length = length;
        var json = JsonSerializer.Serialize(text.ToString());
        return json[1..^1];
    }

    public string Id(string prefix, int length)
    {
        var id = new StringBuilder(prefix, prefix.Length + length);
        for (var i = 0; i < length; i++) id.Append(Alphabet[_random.Next(Alphabet.Length)]);
        return id.ToString();
    }

    public string Uuid() => new Guid(Enumerable.Range(0, 16).Select(_ => (byte)_random.Next(256)).ToArray()).ToString();

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
