using System.Text.Json.Nodes;

namespace TokenTelemetry.Usage;

/// <summary>
/// Turns observations into records. A Complete payload is one record. Stream events are merged per stream, keyed by
/// the stream's id, so interleaved streams are untangled: each non-null field is overwritten by the later value
/// (stream usage is cumulative, never added), or for routes that repeat the whole usage on every event the largest
/// one wins. A stream ends at its end event or at the end of the input (then with whatever usage it had: none means
/// NULL metrics, as for an OpenAI stream without include_usage). Events without an id (Anthropic message_delta /
/// message_stop, Bedrock, Ollama) go to their route's latest stream; when two such streams overlap they cannot be
/// told apart, so the overlapping calls keep only what their own start event said (see <see cref="Entangle"/>).
/// </summary>
public sealed class StreamAssembler(INormalizedSink sink)
{
    /// <summary>Beyond this many open streams the least recently seen is closed: memory stays bounded.</summary>
    public const int MaxOpenStreams = 10_000;
    private const int MaxClosedIds = 100_000;

    private readonly Dictionary<(string Family, string Key), OpenStream> _open = new();
    private readonly Dictionary<string, OpenStream> _tail = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OpenStream> _held = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _closed = new();
    private readonly Queue<(string, string)> _closedOrder = new();
    private readonly RecordEmitter _records = new(sink);
    private (string Family, string Id, string? Raw) _lastEmitted;
    private long _order;

    public void Accept(UsageMapper mapper, Observation o, long line, LogEnvelope envelope)
    {
        // Read the envelope first: a bad envelope time rejects the line before any stream changes.
        var outer = envelope.Read(o);
        if (o.Meters is { } meters)
            foreach (var meter in meters) sink.Meter(line, meter);
        switch (o.Kind)
        {
            case ObservationKind.Complete when o.Usage is { } usage:
                _records.Emit(mapper, usage, usage.GetRawText(), o.Model ?? outer.Model, o.ObservedAt ?? outer.Time,
                    CallIds.Identity(o.StreamId) ?? CallIds.Identity(outer.RequestId), outer.Provider, line);
                break;
            case ObservationKind.StreamEnd when o.Usage is { } final && _open.Count == 0 && _held.Count == 0
                                                && !(o.StreamId is { } last && _lastEmitted.Id == last && _lastEmitted.Family == mapper.Family):
                // A whole stream in one event (a final chunk logged alone): emitted as it is, no stream to keep.
                var raw = final.GetRawText();
                _records.Emit(mapper, final, raw, o.Model ?? outer.Model, o.ObservedAt ?? outer.Time,
                    CallIds.Identity(o.StreamId) ?? CallIds.Identity(outer.RequestId), outer.Provider, line);
                _lastEmitted = (mapper.Family, o.StreamId ?? "", raw);
                break;
            case ObservationKind.StreamStart or ObservationKind.StreamUpdate or ObservationKind.StreamEnd:
                if (Route(mapper, o, line) is not { } stream) return;
                stream.LastSeen = ++_order;
                stream.Take(mapper, o, line, outer);
                if (o.Kind == ObservationKind.StreamEnd) End(stream);
                break;
        }
    }

    /// <summary>Ends the input: held and open streams are emitted in the order they began — except, when the input
    /// may still be growing (<paramref name="unsettledSince"/>), a stream that never ended and whose latest time is
    /// after that moment (or that has no time): it may be mid-write, and emitting it now would count its partial
    /// usage for good. It is reported as unfinished and taken whole by a later read.</summary>
    public void Finish(DateTimeOffset? unsettledSince = null)
    {
        foreach (var held in _held.Values.ToList()) Close(held);
        _held.Clear();
        foreach (var stream in _open.Values.OrderBy(s => s.Order).ToList())
        {
            if (unsettledSince is { } since && !stream.Ended && !((stream.PayloadTime ?? stream.EnvelopeTime) < since))
            {
                Remove(stream);
                sink.Unfinished(stream.Line, $"{stream.Mapper.Route}: the call{(stream.Id is { } id ? $" {id}" : "")} had not finished when the file ended and the file was written moments ago: it is counted once it is whole");
                continue;
            }
            Close(stream);
        }
    }

    private OpenStream? Route(UsageMapper mapper, Observation o, long line)
    {
        var family = mapper.Family;
        if (o.StreamId is { Length: > 0 } id)
        {
            if (_open.TryGetValue((family, id), out var known)) return known;
            if (_closed.Contains((family, id)))
            {
                LateEvent(mapper, o, id, line);
                return null;
            }
            return Open(mapper, family, id, line, o.Kind == ObservationKind.StreamStart && !mapper.StreamEventsCarryId && Entangle(family));
        }
        var tail = _tail.GetValueOrDefault(family);
        if (o.Kind == ObservationKind.StreamStart) return Open(mapper, family, null, line, !mapper.StreamEventsCarryId && Entangle(family));
        if (tail is { Ended: false }) return tail;
        if (_held.TryGetValue(family, out var held))
        {
            // An event with no id after its stream ended: streams of this route overlapped. Which call it belongs
            // to cannot be known, so neither gets it.
            held.Ambiguous = true;
            sink.Rejected(line, $"{mapper.Route}: a stream event without an id after its stream ended (streams of this route interleaved and cannot be told apart; the calls keep only what their start events said)");
            return null;
        }
        if (o.Kind == ObservationKind.StreamEnd && o.Usage is null) return null; // an end marker alone is not a call
        return Open(mapper, family, null, line, false); // a stream seen from its middle: its events are all there is
    }

    /// <summary>
    /// A stream of a route whose later events carry no id starts while that route's latest stream is still waiting
    /// for them. The waiting one was interrupted, or the two interleave: it is closed with what its start said, and
    /// the new one is watched — if an id-less event arrives after it ended, it too keeps only its start's usage.
    /// Returns whether the new stream is entangled so.
    /// </summary>
    private bool Entangle(string family)
    {
        if (_held.Remove(family, out var held)) Close(held);
        if (_tail.GetValueOrDefault(family) is not { Ended: false } waiting) return false;
        Close(waiting); // without its final event, its provisional metrics are NULL (OpenStream.FinalUsage)
        return true;
    }

    private OpenStream Open(UsageMapper mapper, string family, string? id, long line, bool entangled)
    {
        if (_open.Count >= MaxOpenStreams)
            foreach (var oldest in _open.Values.OrderBy(s => s.LastSeen).Take(MaxOpenStreams / 10).ToList()) Close(oldest);
        var stream = new OpenStream(mapper, family, id, line, ++_order) { Entangled = entangled };
        _open[(family, id ?? $"\0{stream.Order}")] = stream;
        _tail[family] = stream;
        return stream;
    }

    private void End(OpenStream stream)
    {
        stream.Ended = true;
        if (!stream.Entangled)
        {
            Close(stream);
            return;
        }
        // Held until the route's next stream starts (or the input ends): an id-less event after it would show
        // that another stream's events were merged into it.
        Remove(stream);
        _held[stream.Family] = stream;
    }

    private void LateEvent(UsageMapper mapper, Observation o, string id, long line)
    {
        // Claude Code replays a response already counted; Kimi repeats its final usage chunk; a chunk without usage
        // after the end adds nothing. Anything else would be a second call under one id: not counted, and said so.
        if (mapper.KeepLargestUsage || o.Usage is not { } usage) return;
        if (_lastEmitted.Family == mapper.Family && _lastEmitted.Id == id && _lastEmitted.Raw is { } raw
            && JsonNode.DeepEquals(JsonNode.Parse(usage.GetRawText()), JsonNode.Parse(raw))) return;
        sink.Rejected(line, $"{mapper.Route}: usage for stream {id} after that stream ended (not counted twice)");
    }

    private void Remove(OpenStream stream)
    {
        _open.Remove((stream.Family, stream.Id ?? $"\0{stream.Order}"));
        if (_tail.GetValueOrDefault(stream.Family) == stream) _tail.Remove(stream.Family);
        if (stream.Id is not { } id || !_closed.Add((stream.Family, id))) return;
        _closedOrder.Enqueue((stream.Family, id));
        if (_closedOrder.Count > MaxClosedIds) _closed.Remove(_closedOrder.Dequeue());
    }

    private void Close(OpenStream stream)
    {
        Remove(stream);
        _lastEmitted = (stream.Family, stream.Id ?? "", _records.Emit(stream));
    }
}
