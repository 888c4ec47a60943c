using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Writes each record as one JSON line with the column names of DESIGN §2/§3 and every metric present — null
/// written out as null, never left off. Rejections go to <paramref name="rejected"/> as "line N: reason".
/// </summary>
public sealed class CanonicalJsonWriter(Stream output, TextWriter rejected, string? providerOverride = null) : INormalizedSink, IDisposable
{
    private static readonly JsonEncodedText RecordKey = JsonEncodedText.Encode("record");
    private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { SkipValidation = true, Indented = false });

    public long Usages { get; private set; }
    public long Meters { get; private set; }
    public long Rejections { get; private set; }

    public void Usage(long line, UsageTelemetry u)
    {
        Usages++;
        _json.WriteStartObject();
        _json.WriteString(RecordKey, "usage");
        _json.WriteNumber("line", line);
        _json.WriteString("route", u.Route);
        _json.WriteString("provider", providerOverride ?? u.Provider);
        _json.WriteString("model", u.Model);
        Count("input_tokens", u.InputTokens);
        Count("cached_read_tokens", u.CachedReadTokens);
        Count("cached_write_tokens", u.CachedWriteTokens);
        Count("cached_write_1h_tokens", u.CachedWrite1hTokens);
        Count("output_tokens", u.OutputTokens);
        Count("reasoning_tokens", u.ReasoningTokens);
        Count("request_count", u.RequestCount);
        if (u.ProviderCostUsd is { } cost)
        {
            _json.WriteNumber("cost_usd", cost);
            _json.WriteString("cost_basis", "provider_reported");
        }
        else
        {
            _json.WriteNull("cost_usd");
            _json.WriteNull("cost_basis");
        }
        Double("time_to_first_token_ms", u.TimeToFirstTokenMs);
        Double("duration_ms", u.DurationMs);
        Time("observed_at", u.ObservedAt);
        _json.WriteString("mapper", u.Mapper);
        if (u.PartiallyUnknown.Count > 0)
        {
            _json.WriteStartArray("partially_unknown");
            foreach (var name in u.PartiallyUnknown.Order(StringComparer.Ordinal)) _json.WriteStringValue(name);
            _json.WriteEndArray();
        }
        Raw("raw_usage", u.RawUsage);
        EndLine();
    }

    public void Meter(long line, UsageMeter m)
    {
        Meters++;
        _json.WriteStartObject();
        _json.WriteString(RecordKey, "meter");
        _json.WriteNumber("line", line);
        _json.WriteString("meter", m.Meter);
        _json.WriteString("plan", m.Plan);
        Time("observed_at", m.ObservedAt);
        Count("window_minutes", m.WindowMinutes);
        Time("resets_at", m.ResetsAt);
        Decimal("used_percent", m.UsedPercent);
        Decimal("used", m.Used);
        Decimal("limit_value", m.LimitValue);
        _json.WriteString("unit", m.Unit);
        Raw("raw", m.Raw);
        EndLine();
    }

    public void Rejected(long line, string reason)
    {
        Rejections++;
        rejected.WriteLine($"line {line}: {reason}");
    }

    public void Dispose() => _json.Dispose();

    private void EndLine()
    {
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        output.WriteByte((byte)'\n');
    }

    private void Count(string name, long? value)
    {
        if (value is { } v) _json.WriteNumber(name, v); else _json.WriteNull(name);
    }

    private void Decimal(string name, decimal? value)
    {
        if (value is { } v) _json.WriteNumber(name, v); else _json.WriteNull(name);
    }

    private void Double(string name, double? value)
    {
        if (value is { } v) _json.WriteNumber(name, Math.Round(v, 3)); else _json.WriteNull(name);
    }

    private void Time(string name, DateTimeOffset? value)
    {
        if (value is { } v) _json.WriteString(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
        else _json.WriteNull(name);
    }

    private void Raw(string name, string? json)
    {
        if (json is null) _json.WriteNull(name);
        else
        {
            _json.WritePropertyName(name);
            _json.WriteRawValue(json, skipInputValidation: true);
        }
    }
}
