using TokenTelemetry.Database;

namespace TokenTelemetry.Ingest;

/// <summary>
/// One token_usage row as an ingest sees it: what the database holds for it (its ledger entry and row, if any) and
/// what this ingest adds — the identities it newly counts and the running totals (calls), or the aggregate row that
/// replaces it (rows).
/// </summary>
public sealed class IngestGroup(GroupKey key)
{
    public const string CallsKind = "calls";
    public const string RowKind = "row";

    public GroupKey Key { get; } = key;
    /// <summary>The stored row's ledger kind; null when the database holds no ledger entry for it.</summary>
    public string? StoredKind { get; set; }
    public TokenUsageRow? Stored { get; set; }
    /// <summary>Rebuilt from this input alone (--replace, and every aggregate row): its stored identities are replaced.</summary>
    public bool Rebuild { get; private set; }
    public List<UInt128> NewIds { get; } = [];
    /// <summary>Files whose calls this ingest counts here (for rows written before the ledger existed).</summary>
    public SortedSet<string> Files { get; } = new(StringComparer.Ordinal);
    public GroupTotals? Totals { get; private set; }
    public TokenUsageRow? AggregateRow { get; private set; }

    public bool Touched => NewIds.Count > 0 || AggregateRow is not null;

    /// <summary>The totals calls are added to: the stored row's, or fresh ones when rebuilding.</summary>
    public GroupTotals CallTotals(bool replace)
    {
        if (Totals is not null) return Totals;
        Rebuild = replace;
        return Totals = Stored is { } row && !replace && StoredKind == CallsKind ? GroupTotals.FromRow(row) : new GroupTotals();
    }

    public void SetAggregate(TokenUsageRow row, UInt128 id)
    {
        Rebuild = true;
        AggregateRow = row;
        NewIds.Clear();
        NewIds.Add(id);
    }

    public string Kind => AggregateRow is not null ? RowKind : CallsKind;

    /// <summary>The new identities, concatenated as call_ledger stores them.</summary>
    public byte[] PackedIds()
    {
        var bytes = new byte[NewIds.Count * 16];
        for (var i = 0; i < NewIds.Count; i++) CallIdentity.Write(NewIds[i], bytes.AsSpan(i * 16, 16));
        return bytes;
    }
}
