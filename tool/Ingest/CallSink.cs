using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// Where normalized calls go on their way in: each is checked (a time from the payload, its envelope or the
/// request's fallback, within <see cref="CallTimes"/>; labels and counts the database can hold), given its identity,
/// looked up in the ledger, priced and added to its row — or rejected alone with file:line.
/// </summary>
public sealed class CallSink(CallLedger ledger, IngestRequest request, UsagePricer pricer, DateTimeOffset now, RejectionLog rejections) : INormalizedSink
{
    private readonly Dictionary<UInt128, int> _contentSeen = new();
    private readonly Dictionary<(string, string?, DateTimeOffset), MeterRow> _meters = new();
    private string _file = "-";

    public long Records { get; private set; }
    public long NewCalls { get; private set; }
    public long AlreadyCounted { get; private set; }
    public Dictionary<string, long> CountedElsewhere { get; } = new(StringComparer.Ordinal);
    public IReadOnlyCollection<MeterRow> Meters => _meters.Values;

    /// <summary>The file being read: rejections name it, and identical id-less records are numbered within it.</summary>
    public string File
    {
        get => _file;
        set { _file = value; _contentSeen.Clear(); }
    }

    public void Usage(long line, UsageTelemetry usage)
    {
        Records++;
        var time = usage.ObservedAt ?? request.At;
        if (time is not { } at)
        {
            Rejected(line, $"no time: neither the payload nor its log envelope says when the call happened (give such calls one with {request.AtHint})");
            return;
        }
        if (CallTimes.Problem(at, now) is { } timeProblem)
        {
            Rejected(line, timeProblem);
            return;
        }
        if (Problem(usage) is { } problem)
        {
            Rejected(line, problem);
            return;
        }
        var id = Identity(usage);
        if (request.Provider is { } provider) usage = usage with { Provider = provider };
        var model = string.IsNullOrWhiteSpace(usage.Model) ? "unknown" : usage.Model;
        var start = WindowGrid.Floor(at, request.Granularity);
        if (CallTimes.RetentionProblem(start, request.RetainedFrom) is { } retained)
        {
            Rejected(line, retained);
            return;
        }
        var key = new GroupKey(request.SourceSystem, model, start, WindowGrid.Next(start, request.Granularity), request.UserId, request.ProjectId);
        var verdict = ledger.Look(id, key, out var group);
        if (verdict == CallLedger.Verdict.Known)
        {
            AlreadyCounted++;
            if (group.Key != key) CountedElsewhere[Where(group.Key, key)] = CountedElsewhere.GetValueOrDefault(Where(group.Key, key)) + 1;
            return;
        }
        if (group.StoredKind == IngestGroup.RowKind)
        {
            Rejected(line, $"{key} holds an aggregate row (imported from a CSV/JSON rows file); calls cannot be added to it — import them under another --source-system");
            return;
        }
        if (group.CallTotals(request.Replace).TryAdd(usage, pricer.Price(usage, at: at)) is { } sumProblem)
        {
            Rejected(line, sumProblem);
            return;
        }
        ledger.Count(id, group);
        if (!ReferenceEquals(group.LastFile, _file)) group.Files.Add(group.LastFile = _file);
        NewCalls++;
    }

    public void Meter(long line, UsageMeter meter)
    {
        var row = new MeterRow(request.SourceSystem, request.UserId, meter);
        if (meter.ObservedAt is { } at) _meters[(meter.Meter, request.UserId, at)] = row;
    }

    public void Rejected(long line, string reason) => rejections.Add($"{_file}:{line}", reason);

    /// <summary>Calls left for a later read: their file is still being written and their stream had not ended.</summary>
    public long UnfinishedCalls { get; private set; }

    public void Unfinished(long line, string reason) => UnfinishedCalls++;

    /// <summary>The call's identity from its own id, else from its content numbered among identical records of this file.
    /// Computed before a --provider override: the same call through a door without the flag is the same call.</summary>
    private UInt128 Identity(UsageTelemetry usage)
    {
        if (usage.CallId is { Length: > 0 } callId) return CallIdentity.OfCall(callId);
        var content = CallIdentity.ContentKey(usage);
        var contentHash = CallIdentity.Hash(content);
        var occurrence = _contentSeen.GetValueOrDefault(contentHash);
        _contentSeen[contentHash] = occurrence + 1;
        return CallIdentity.OfContent(content, occurrence);
    }

    private static string? Problem(UsageTelemetry u) =>
        UsageLimits.LabelProblem("model", u.Model) ?? UsageLimits.LabelProblem("provider", u.Provider)
        ?? UsageLimits.CountProblem("input_tokens", u.InputTokens) ?? UsageLimits.CountProblem("cached_read_tokens", u.CachedReadTokens)
        ?? UsageLimits.CountProblem("cached_write_tokens", u.CachedWriteTokens) ?? UsageLimits.CountProblem("cached_write_1h_tokens", u.CachedWrite1hTokens)
        ?? UsageLimits.CountProblem("output_tokens", u.OutputTokens) ?? UsageLimits.CountProblem("reasoning_tokens", u.ReasoningTokens)
        ?? UsageLimits.CountProblem("request_count", u.RequestCount) ?? UsageLimits.CostProblem("cost_usd", u.ProviderCostUsd);

    private static string Where(GroupKey counted, GroupKey wanted) =>
        counted.SourceSystem != wanted.SourceSystem ? $"source_system '{counted.SourceSystem}'"
        : counted.Start != wanted.Start || counted.End != wanted.End ? "another window"
        : "another model, user or project";
}
