using System.Globalization;
using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Strict readers for payload fields. Absent or JSON null → null (the route did not say); present but not a
/// non-negative whole number → <see cref="UsageFormatException"/> naming the field. Never a silent 0.
/// </summary>
public static class Json
{
    public static long? Count(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number)
            throw new UsageFormatException($"{name} is {Describe(value)}, expected a whole number");
        if (!value.TryGetInt64(out var n))
        {
            // Some servers write counts as 12.0; accept an integral double, refuse a fraction.
            if (value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) n = (long)d;
            else throw new UsageFormatException($"{name} is {value.GetRawText()}, expected a whole number");
        }
        if (n < 0) throw new UsageFormatException($"{name} is negative ({n})");
        return n;
    }

    public static long? Count(JsonElement parent, string objectName, string name) =>
        Object(parent, objectName) is { } inner ? Count(inner, name) : null;

    public static decimal? Number(JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var m)) return m;
        if (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)) return s;
        throw new UsageFormatException($"{name} is {Describe(value)}, expected a number");
    }

    public static JsonElement? Object(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static string? String(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Has(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>An ISO 8601 (or epoch) time field; present but without a date → <see cref="UsageFormatException"/>.</summary>
    public static DateTimeOffset? Timestamp(JsonElement parent, string name) => LogTime.Read(parent, name);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"a string (\"{Truncate(value.GetString()!)}\")",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => value.GetRawText(),
    };

    private static string Truncate(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
