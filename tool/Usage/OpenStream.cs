using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenTelemetry.Usage;

/// <summary>One stream the <see cref="StreamAssembler"/> is putting together: its merged usage and what its events
/// said about the call.</summary>
internal sealed class OpenStream(UsageMapper mapper, string family, string? id, long line, long order)
{
    public UsageMapper Mapper { get; set; } = mapper;
    public string Family { get; } = family;
    public string? Id { get; } = id;
    /// <summary>Order of first appearance: open streams left at the end of the input come out in this order.</summary>
    public long Order { get; } = order;
    public long Line { get; set; } = line;
    public long LastSeen { get; set; } = order;

    public JsonObject? Usage { get; private set; }
    /// <summary>The first event's usage, kept apart for a stream whose later usage never came (or cannot be attributed).</summary>
    public JsonObject? StartUsage { get; private set; }
    public bool ContinuationUsage { get; private set; }
    private string? _largestRaw;
    private long _largestSize = -1;

    public string? Model { get; set; }
    public DateTimeOffset? PayloadTime { get; set; }
    public DateTimeOffset? EnvelopeTime { get; set; }
    public string? RequestId { get; set; }
    public string? EnvelopeModel { get; set; }
    public string? EnvelopeProvider { get; set; }

    public bool Ended { get; set; }
    /// <summary>Started while another stream of its route still waited for events that carry no stream id.</summary>
    public bool Entangled { get; set; }
    /// <summary>Events were seen that may belong to it or to another stream: only its start event's usage counts.</summary>
    public bool Ambiguous { get; set; }

    /// <summary>Merges one event and what its envelope says.</summary>
    public void Take(UsageMapper mapper, Observation o, long line, (DateTimeOffset? Time, string? RequestId, string? Model, string? Provider) outer)
    {
        var kept = true;
        if (o.Usage is { } update)
        {
            if (!mapper.KeepLargestUsage) Mapper = mapper; // the event with usage knows the route best
            kept = AddUsage(update, o.Kind == ObservationKind.StreamStart);
        }
        if (kept) // a route that keeps the largest usage takes line and time from the event it kept
        {
            Line = line;
            PayloadTime = o.ObservedAt ?? PayloadTime;
        }
        Model = o.Model ?? Model;
        EnvelopeTime = outer.Time ?? EnvelopeTime;
        RequestId ??= outer.RequestId;
        EnvelopeModel ??= outer.Model;
        EnvelopeProvider ??= outer.Provider;
    }

    /// <summary>Merges an event's usage; false when a route that keeps the largest usage kept an earlier one.</summary>
    private bool AddUsage(JsonElement usage, bool start)
    {
        if (Mapper.KeepLargestUsage)
        {
            var size = Mapper.UsageSize(usage);
            if (size <= _largestSize) return false; // an earlier line already said as much (ties keep the first)
            (_largestRaw, _largestSize) = (usage.GetRawText(), size);
            return true;
        }
        var update = JsonNode.Parse(usage.GetRawText())!.AsObject();
        if (start && StartUsage is null) StartUsage = (JsonObject)update.DeepClone();
        else ContinuationUsage = true;
        if (Usage is null) Usage = update;
        else Overwrite(Usage, update);
        return true;
    }

    /// <summary>The usage JSON the call is mapped from, or null when it has none.</summary>
    public string? FinalUsage()
    {
        if (_largestRaw is not null) return _largestRaw;
        if ((Ambiguous || !ContinuationUsage) && StartUsage is not null)
        {
            Mapper.DropProvisional(StartUsage);
            return StartUsage.ToJsonString();
        }
        return Ambiguous ? null : Usage?.ToJsonString();
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
}
