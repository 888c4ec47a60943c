namespace TokenTelemetry.Ingest;

/// <summary>
/// Where aggregate rows go on their way in. A row's identity is its key without the door's default source_system
/// (<see cref="CallIdentity.OfRow"/>): read again through the same door it replaces its stored values (a corrected
/// file corrects the row); read through another door that already counts it, it is skipped. A row is never written
/// over a row that sums counted calls.
/// </summary>
public sealed class RowSink(CallLedger ledger, DateTimeOffset? retainedFrom = null)
{
    public long Records { get; private set; }
    public long NewRows { get; private set; }
    public long AlreadyCounted { get; private set; }
    public Dictionary<string, long> CountedElsewhere { get; } = new(StringComparer.Ordinal);
    public List<(string Where, string Why)> Refused { get; } = [];

    public void Accept(AggregateRowReader.Record record)
    {
        Records++;
        var row = record.Row;
        if (CallTimes.RetentionProblem(row.WindowStart, retainedFrom) is { } retained)
        {
            Refused.Add((record.Where, retained));
            return;
        }
        var key = new GroupKey(row.SourceSystem, row.ModelId, row.WindowStart, row.WindowEnd, row.UserId, row.ProjectId);
        var id = CallIdentity.OfRow(record.WrittenSourceSystem, row.ModelId, row.WindowStart, row.WindowEnd, row.UserId, row.ProjectId);
        var verdict = ledger.Look(id, key, out var group);
        if (verdict == CallLedger.Verdict.Known && group.Key != key)
        {
            AlreadyCounted++;
            var where = group.Key.SourceSystem != key.SourceSystem ? $"source_system '{group.Key.SourceSystem}'" : "another row";
            CountedElsewhere[where] = CountedElsewhere.GetValueOrDefault(where) + 1;
            return;
        }
        if (group.StoredKind == IngestGroup.CallsKind)
        {
            Refused.Add((record.Where, $"{key} sums calls counted from request logs; an aggregate row would replace them — give the row another source_system"));
            return;
        }
        if (verdict == CallLedger.Verdict.New) NewRows++;
        else AlreadyCounted++; // the same row again: its values are refreshed from the file
        group.SetAggregate(row);
        ledger.Claim(id, group);
    }
}
