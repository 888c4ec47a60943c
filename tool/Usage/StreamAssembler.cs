using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenTelemetry.Usage;

/// <summary>
/// Turns observations into records: a Complete payload is one record; stream events are merged into one record
/// per stream by overwriting each non-null field with the later value — stream usage is cumulative, never added.
/// A stream ends at its end event, at the start of another stream, or at the end of the input (then with whatever
/// usage it had: none means NULL metrics, as for an OpenAI stream without include_usage).
/// </summary>
public sealed class StreamAssembler(INormalizedSink sink)
{
    private sealed class OpenStream(UsageMapper mapper, long line)
    {
        public UsageMapper Mapper { get; set; } = mapper;
        public long Line { get; set; } = line;
        public JsonObject? Usage { get; set; }
        public string? Model { get; set; }
        public string? Id { get; set; }
        public DateTimeOffset? ObservedAt { get; set; }
    }

    private OpenStream? _open;
    private (string Id, string Usage)? _lastStream;

    public void Accept(UsageMapper mapper, Observation observation, long line)
    {
        if (observation.Meters is { } meters)
            foreach (var meter in meters) sink.Meter(line, meter);
        switch (observation.Kind)
        {
            case ObservationKind.Complete:
                Flush();
                if (observation.Usage is { } usage) Emit(mapper, usage, usage.GetRawText(), observation.Model, observation.ObservedAt, observation.StreamId, line);
                break;
            case ObservationKind.StreamStart:
                Flush();
                Merge(Open(mapper, observation, line), observation, line);
                break;
            case ObservationKind.StreamUpdate:
                Merge(Continue(mapper, observation, line), observation, line);
                break;
            case ObservationKind.StreamEnd:
                if (_open is null && IsRepeatOfLastStream(observation)) return; // Kimi K3 repeats the final usage once
                var stream = Continue(mapper, observation, line);
                Merge(stream, observation, line);
                Flush();
                break;
        }
    }

    /// <summary>Ends the input: an open stream is emitted with the usage it has.</summary>
    public void Finish() => Flush();

    private OpenStream Continue(UsageMapper mapper, Observation observation, long line)
    {
        if (_open is not null && _open.Mapper.Family == mapper.Family
            && (observation.StreamId is null || _open.Id is null || observation.StreamId == _open.Id))
        {
            if (observation.Usage is not null) _open.Mapper = mapper; // the chunk with usage knows the route best
            return _open;
        }
        Flush();
        return Open(mapper, observation, line);
    }

    private OpenStream Open(UsageMapper mapper, Observation observation, long line) => _open = new OpenStream(mapper, line);

    private static void Merge(OpenStream stream, Observation observation, long line)
    {
        stream.Line = line;
        stream.Model = observation.Model ?? stream.Model;
        stream.Id = observation.StreamId ?? stream.Id;
        stream.ObservedAt = observation.ObservedAt ?? stream.ObservedAt;
        if (observation.Usage is not { } usage) return;
        var update = JsonNode.Parse(usage.GetRawText())!.AsObject();
        if (stream.Usage is null) stream.Usage = update;
        else Overwrite(stream.Usage, update);
    }

    private static void Overwrite(JsonObject target, JsonObject update)
    {
        foreach (var (key, value) in update.ToList())
        {
            if (value is null) continue;
            if (value is JsonObject inner && target[key] is JsonObject existing) Overwrite(existing, inner);
            else target[key] = value.DeepClone();
        }
    }

    private void Flush()
    {
        if (_open is not { } stream) return;
        _open = null;
        if (stream.Usage is null)
        {
            sink.Usage(stream.Line, new UsageTelemetry
            {
                RequestCount = 1, Model = stream.Model, Provider = stream.Mapper.Provider, Route = stream.Mapper.Route,
                Mapper = stream.Mapper.Name, ObservedAt = stream.ObservedAt, CallId = stream.Id,
            });
            return;
        }
        var raw = stream.Usage.ToJsonString();
        if (stream.Id is not null) _lastStream = (stream.Id, raw);
        using var merged = JsonDocument.Parse(raw);
        Emit(stream.Mapper, merged.RootElement, raw, stream.Model, stream.ObservedAt, stream.Id, stream.Line);
    }

    private bool IsRepeatOfLastStream(Observation observation) =>
        observation.StreamId is { } id && _lastStream is { } last && last.Id == id
        && observation.Usage is { } usage && JsonNode.DeepEquals(JsonNode.Parse(usage.GetRawText()), JsonNode.Parse(last.Usage));

    private void Emit(UsageMapper mapper, JsonElement usage, string raw, string? model, DateTimeOffset? observedAt, string? callId, long line)
    {
        UsageTelemetry mapped;
        try
        {
            mapped = mapper.MapUsage(usage);
        }
        catch (UsageFormatException e)
        {
            sink.Rejected(line, $"{mapper.Route}: {e.Message}");
            return;
        }
        if (mapped.Inconsistency() is { } problem)
        {
            sink.Rejected(line, $"{mapper.Route}: {problem}");
            return;
        }
        sink.Usage(line, mapped with
        {
            Model = model ?? mapped.Model,
            Provider = mapper.Provider,
            Route = mapper.Route,
            Mapper = mapper.Name,
            ObservedAt = observedAt,
            CallId = callId,
            RawUsage = raw,
        });
    }
}
