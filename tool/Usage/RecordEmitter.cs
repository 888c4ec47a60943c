using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// Maps a call's usage and hands the record to the sink, or its rejection with the line and the reason when the
/// payload cannot be mapped or the record breaks a bound (<see cref="RecordChecks"/>).
/// </summary>
internal sealed class RecordEmitter(INormalizedSink sink)
{
    /// <summary>Emits a closed stream's call; returns the usage JSON it was mapped from (null: none).</summary>
    public string? Emit(OpenStream stream)
    {
        var raw = stream.FinalUsage();
        var callId = CallIds.Identity(stream.Id) ?? CallIds.Identity(stream.RequestId);
        var time = stream.PayloadTime ?? stream.EnvelopeTime;
        var model = stream.Model ?? stream.EnvelopeModel;
        if (raw is null)
        {
            // A stream that never carried usage is still one call: metrics NULL, not 0.
            Send(stream.Mapper, stream.Line, new UsageTelemetry
            {
                RequestCount = 1, Model = model, Provider = stream.EnvelopeProvider ?? stream.Mapper.Provider, Route = stream.Mapper.Route,
                Mapper = stream.Mapper.Name, ObservedAt = time, CallId = callId,
            });
            return null;
        }
        using var merged = JsonDocument.Parse(raw);
        Emit(stream.Mapper, merged.RootElement, raw, model, time, callId, stream.EnvelopeProvider, stream.Line);
        return raw;
    }

    public void Emit(UsageMapper mapper, JsonElement usage, string raw, string? model, DateTimeOffset? observedAt, string? callId, string? provider, long line)
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
        Send(mapper, line, mapped with
        {
            Model = model ?? mapped.Model,
            Provider = provider ?? mapper.Provider,
            Route = mapper.Route,
            Mapper = mapper.Name,
            ObservedAt = observedAt,
            CallId = callId,
            RawUsage = raw,
        });
    }

    private void Send(UsageMapper mapper, long line, UsageTelemetry record)
    {
        if (RecordChecks.Problem(record) is { } problem) sink.Rejected(line, $"{mapper.Route}: {problem}");
        else sink.Usage(line, record);
    }
}
