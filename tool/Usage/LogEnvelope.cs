using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// The log line a payload arrived in. A line whose top level is not itself a payload but wraps one under a known key
/// (<see cref="WrapperKeys"/>) is unwrapped; a LiteLLM spend-log row (request_id + startTime) gives its response,
/// else its metadata.usage_object, else its own prompt/completion counts. Either way the envelope may say when the
/// call happened (<see cref="TimeKeys"/>, first present wins), its request id and model: each is used only where the
/// payload has none of its own. A payload at the top level has no envelope. docs/providers.md ("Log envelopes")
/// lists the keys.
/// </summary>
public readonly struct LogEnvelope(JsonElement top, bool spendLog)
{
    public static readonly string[] WrapperKeys = ["response", "response_body", "responseBody", "body", "result", "data", "payload"];
    /// <summary>In order of precedence (docs/providers.md).</summary>
    public static readonly string[] TimeKeys = ["timestamp", "@timestamp", "time", "ts", "created_at", "createdAt", "startTime", "start_time", "request_time", "logged_at", "endTime", "end_time"];
    public static readonly string[] RequestIdKeys = ["request_id", "requestId", "x_request_id", "x-request-id", "litellm_call_id"];

    public static LogEnvelope None => default;

    /// <summary>What the envelope says that the observed payload does not: time, request id, model, provider.</summary>
    public (DateTimeOffset? Time, string? RequestId, string? Model, string? Provider) Read(Observation o) =>
        top.ValueKind != JsonValueKind.Object ? default
        : (o.ObservedAt is null ? Time() : null, o.StreamId is null ? RequestId() : null, o.Model is null ? Model() : null, Provider());

    /// <summary>The envelope's time: the first of <see cref="TimeKeys"/> whose value is a date and time. When keys
    /// are present but none holds one, <see cref="UsageFormatException"/> names the first.</summary>
    public DateTimeOffset? Time()
    {
        if (top.ValueKind != JsonValueKind.Object) return null;
        string? unreadable = null;
        foreach (var key in TimeKeys)
        {
            if (!top.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) continue;
            if (LogTime.Parse(value) is { } time) return time;
            unreadable ??= $"{key} {Short(value)}";
        }
        return unreadable is null ? null
            : throw new UsageFormatException($"{unreadable} is not a date and time (ISO 8601 with a date, or Unix epoch seconds/milliseconds)");
    }

    public string? RequestId()
    {
        if (top.ValueKind != JsonValueKind.Object) return null;
        foreach (var key in RequestIdKeys)
            if (Json.String(top, key) is { Length: > 0 } id) return id;
        return null;
    }

    public string? Model() => top.ValueKind == JsonValueKind.Object ? Json.String(top, "model") : null;

    /// <summary>A spend-log row names the provider LiteLLM routed to; its response is in OpenAI shape whatever that was.</summary>
    public string? Provider() => spendLog ? Json.String(top, "custom_llm_provider") : null;

    /// <summary>A LiteLLM spend-log row. A chat response (it has an object or choices) is not one: checked first, as
    /// it settles almost every line in one lookup.</summary>
    public static bool IsSpendLog(JsonElement top) =>
        top.ValueKind == JsonValueKind.Object && !top.TryGetProperty("object", out _) && !top.TryGetProperty("choices", out _)
        && Json.String(top, "request_id") is not null && Json.Has(top, "startTime")
        && (Json.Has(top, "call_type") || Json.Has(top, "spend") || Json.Has(top, "prompt_tokens"));

    /// <summary>The payload inside an envelope: the first wrapper key whose value (an object, or JSON text of one) is
    /// a payload the detector knows. <paramref name="owned"/> holds a document parsed from JSON text; dispose it.</summary>
    public static bool TryUnwrap(JsonElement top, Func<JsonElement, bool> isPayload, out JsonElement payload, out JsonDocument? owned)
    {
        owned = null;
        foreach (var key in WrapperKeys)
        {
            if (!top.TryGetProperty(key, out var value)) continue;
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.TrimStart().StartsWith('{'))
            {
                try
                {
                    var document = JsonDocument.Parse(text);
                    if (isPayload(document.RootElement))
                    {
                        (payload, owned) = (document.RootElement, document);
                        return true;
                    }
                    document.Dispose();
                }
                catch (JsonException) { } // text that only looks like JSON: not a wrapped payload
            }
            else if (value.ValueKind == JsonValueKind.Object && isPayload(value))
            {
                payload = value;
                return true;
            }
        }
        payload = default;
        return false;
    }

    /// <summary>A LiteLLM spend-log row's payload: its stored response when that carries usage, else
    /// metadata.usage_object (the usage LiteLLM logged), else the row itself (its prompt_tokens / completion_tokens).</summary>
    public static JsonElement SpendLogPayload(JsonElement top, Func<JsonElement, bool> isPayload, out JsonDocument? owned)
    {
        if (TryUnwrap(top, e => Json.Has(e, "usage") && isPayload(e), out var response, out owned)) return response;
        if (Json.Object(top, "metadata") is { } metadata && Json.Object(metadata, "usage_object") is { } usage && isPayload(usage)) return usage;
        return top;
    }

    private static string Short(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "…";
    }
}
