using System.Buffers;
using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Writes each record as one JSON line with the column names of DESIGN §2/§3 and every metric present — null
/// written out as null, never left off. Rejections go to <paramref name="rejected"/> as "line N: reason".
/// </summary>
public sealed class CanonicalJsonWriter : INormalizedSink, IDisposable
{
    private readonly Stream output;
    private readonly TextWriter rejected;
    private readonly string? providerOverride;

    private static readonly JsonEncodedText RecordKey = JsonEncodedText.Encode("record");
    // Property names encoded once: encoding them per record was a third of the time spent writing.
    private static readonly JsonEncodedText P_call_id = JsonEncodedText.Encode("call_id");
    private static readonly JsonEncodedText P_cached_read_tokens = JsonEncodedText.Encode("cached_read_tokens");
    private static readonly JsonEncodedText P_cached_write_1h_tokens = JsonEncodedText.Encode("cached_write_1h_tokens");
    private static readonly JsonEncodedText P_cached_write_tokens = JsonEncodedText.Encode("cached_write_tokens");
    private static readonly JsonEncodedText P_cost_basis = JsonEncodedText.Encode("cost_basis");
    private static readonly JsonEncodedText P_cost_usd = JsonEncodedText.Encode("cost_usd");
    private static readonly JsonEncodedText P_duration_ms = JsonEncodedText.Encode("duration_ms");
    private static readonly JsonEncodedText P_input_tokens = JsonEncodedText.Encode("input_tokens");
    private static readonly JsonEncodedText P_limit_value = JsonEncodedText.Encode("limit_value");
    private static readonly JsonEncodedText P_line = JsonEncodedText.Encode("line");
    private static readonly JsonEncodedText P_mapper = JsonEncodedText.Encode("mapper");
    private static readonly JsonEncodedText P_meter = JsonEncodedText.Encode("meter");
    private static readonly JsonEncodedText P_model = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText P_observed_at = JsonEncodedText.Encode("observed_at");
    private static readonly JsonEncodedText P_output_tokens = JsonEncodedText.Encode("output_tokens");
    private static readonly JsonEncodedText P_partially_unknown = JsonEncodedText.Encode("partially_unknown");
    private static readonly JsonEncodedText P_plan = JsonEncodedText.Encode("plan");
    private static readonly JsonEncodedText P_provider = JsonEncodedText.Encode("provider");
    private static readonly JsonEncodedText P_raw = JsonEncodedText.Encode("raw");
    private static readonly JsonEncodedText P_raw_usage = JsonEncodedText.Encode("raw_usage");
    private static readonly JsonEncodedText P_reasoning_tokens = JsonEncodedText.Encode("reasoning_tokens");
    private static readonly JsonEncodedText P_request_count = JsonEncodedText.Encode("request_count");
    private static readonly JsonEncodedText P_resets_at = JsonEncodedText.Encode("resets_at");
    private static readonly JsonEncodedText P_route = JsonEncodedText.Encode("route");
    private static readonly JsonEncodedText P_time_to_first_token_ms = JsonEncodedText.Encode("time_to_first_token_ms");
    private static readonly JsonEncodedText P_unit = JsonEncodedText.Encode("unit");
    private static readonly JsonEncodedText P_used = JsonEncodedText.Encode("used");
    private static readonly JsonEncodedText P_used_percent = JsonEncodedText.Encode("used_percent");
    private static readonly JsonEncodedText P_window_minutes = JsonEncodedText.Encode("window_minutes");
    private const int FlushThreshold = 64 * 1024;
    // Records are written into one growing buffer and handed to the stream in 64 KiB pieces.
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter _json;

    public CanonicalJsonWriter(Stream output, TextWriter rejected, string? providerOverride = null)
    {
        this.output = output;
        this.rejected = rejected;
        this.providerOverride = providerOverride;
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Indented = false });
    }

    public long Usages { get; private set; }
    public long Meters { get; private set; }
    public long Rejections { get; private set; }

    public void Usage(long line, UsageTelemetry usage)
    {
        Usages++;
        _json.WriteStartObject();
        _json.WriteString(RecordKey, "usage");
        _json.WriteNumber(P_line, line);
        _json.WriteString(P_route, usage.Route);
        _json.WriteString(P_provider, providerOverride ?? usage.Provider);
        _json.WriteString(P_model, usage.Model);
        Count(P_input_tokens, usage.InputTokens);
        Count(P_cached_read_tokens, usage.CachedReadTokens);
        Count(P_cached_write_tokens, usage.CachedWriteTokens);
        Count(P_cached_write_1h_tokens, usage.CachedWrite1hTokens);
        Count(P_output_tokens, usage.OutputTokens);
        Count(P_reasoning_tokens, usage.ReasoningTokens);
        Count(P_request_count, usage.RequestCount);
        if (usage.ProviderCostUsd is { } cost)
        {
            _json.WriteNumber(P_cost_usd, cost);
            _json.WriteString(P_cost_basis, "provider_reported");
        }
        else
        {
            _json.WriteNull(P_cost_usd);
            _json.WriteNull(P_cost_basis);
        }
        Double(P_time_to_first_token_ms, usage.TimeToFirstTokenMs);
        Double(P_duration_ms, usage.DurationMs);
        Time(P_observed_at, usage.ObservedAt);
        if (usage.CallId is { } callId) _json.WriteString(P_call_id, callId); else _json.WriteNull(P_call_id);
        _json.WriteString(P_mapper, usage.Mapper);
        if (usage.PartiallyUnknown.Count > 0)
        {
            _json.WriteStartArray(P_partially_unknown);
            foreach (var name in usage.PartiallyUnknown.Order(StringComparer.Ordinal)) _json.WriteStringValue(name);
            _json.WriteEndArray();
        }
        Raw(P_raw_usage, usage.RawUsage);
        EndLine();
    }

    public void Meter(long line, UsageMeter meter)
    {
        Meters++;
        _json.WriteStartObject();
        _json.WriteString(RecordKey, "meter");
        _json.WriteNumber(P_line, line);
        _json.WriteString(P_meter, meter.Meter);
        _json.WriteString(P_plan, meter.Plan);
        Time(P_observed_at, meter.ObservedAt);
        Count(P_window_minutes, meter.WindowMinutes);
        Time(P_resets_at, meter.ResetsAt);
        Decimal(P_used_percent, meter.UsedPercent);
        Decimal(P_used, meter.Used);
        Decimal(P_limit_value, meter.LimitValue);
        _json.WriteString(P_unit, meter.Unit);
        Raw(P_raw, meter.Raw);
        EndLine();
    }

    public void Rejected(long line, string reason)
    {
        Rejections++;
        rejected.WriteLine($"line {line}: {reason}");
    }

    public void Dispose()
    {
        FlushBuffer();
        output.Flush();
        _json.Dispose();
    }

    private void EndLine()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_buffer.WrittenCount >= FlushThreshold) FlushBuffer();
        _json.Reset(_buffer);
    }

    private void FlushBuffer()
    {
        output.Write(_buffer.WrittenSpan);
        _buffer.Clear();
    }

    private void Count(JsonEncodedText name, long? value)
    {
        if (value is { } v) _json.WriteNumber(name, v); else _json.WriteNull(name);
    }

    private void Decimal(JsonEncodedText name, decimal? value)
    {
        if (value is { } v) _json.WriteNumber(name, v); else _json.WriteNull(name);
    }

    private void Double(JsonEncodedText name, double? value)
    {
        if (value is { } v) _json.WriteNumber(name, Math.Round(v, 3)); else _json.WriteNull(name);
    }

    private void Time(JsonEncodedText name, DateTimeOffset? value)
    {
        // ISO 8601 in UTC; Utf8JsonWriter leaves off a zero fraction, as the fixtures expect.
        if (value is { } v) _json.WriteString(name, v.UtcDateTime);
        else _json.WriteNull(name);
    }

    private void Raw(JsonEncodedText name, string? json)
    {
        if (json is null) _json.WriteNull(name);
        else if (json.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            // From a pretty-printed document: written compact, or the record would span several lines.
            using var document = JsonDocument.Parse(json);
            _json.WritePropertyName(name);
            document.RootElement.WriteTo(_json);
        }
        else
        {
            _json.WritePropertyName(name);
            _json.WriteRawValue(json, skipInputValidation: true);
        }
    }
}
