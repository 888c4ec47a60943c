using TokenTelemetry.Model;

namespace TokenTelemetry.Ingest;

/// <summary>
/// One token_usage row as an ingest sees it: what the database holds for it (its ledger entry and row, if any) and
/// what this ingest adds — the identities it newly counts and the running totals (calls), or the aggregate row that
/// replaces it (rows).
/// </summary>
public sealed class IngestGroup
{
    public IngestGroup(GroupKey key)
    {
        Key = key;
        StoredSlot = new Slot(this, false);
        NewSlot = new Slot(this, true);
    }

    /// <summary>An identity's place: its row, and whether this ingest counts it (one object per row and kind, so the
    /// map of a million identities holds references, not copies).</summary>
    public sealed record Slot(IngestGroup Group, bool New);

    public const string CallsKind = "calls";
    public const string RowKind = "row";

    public GroupKey Key { get; }
    /// <summary>The stored row's ledger kind; null when the database holds no ledger entry for it.</summary>
    public string? StoredKind { get; set; }
    public TokenUsageRow? Stored { get; set; }
    /// <summary>Rebuilt from this input alone (--replace, and every aggregate row): its stored identities are replaced.</summary>
    public bool Rebuild { get; private set; }
    /// <summary>How many identities this ingest newly counts here (the identities themselves live in the ledger's map).</summary>
    public int NewCount { get; set; }
    /// <summary>What the ledger's map holds for an identity of this row: counted before (stored) or by this ingest (new).</summary>
    public Slot StoredSlot { get; }
    public Slot NewSlot { get; }
    /// <summary>Files whose calls this ingest counts here (for rows written before the ledger existed).</summary>
    public SortedSet<string> Files { get; } = new(StringComparer.Ordinal);
    /// <summary>The file last added to <see cref="Files"/> (calls of one file come in a run: skip the set).</summary>
    public string? LastFile { get; set; }
    public GroupTotals? Totals { get; private set; }
    public TokenUsageRow? AggregateRow { get; private set; }

    public bool Touched => NewCount > 0 || AggregateRow is not null;

    /// <summary>The totals calls are added to: the stored row's, or fresh ones when rebuilding.</summary>
    public GroupTotals CallTotals(bool replace)
    {
        if (Totals is not null) return Totals;
        Rebuild = replace;
        return Totals = Stored is { } row && !replace && StoredKind == CallsKind ? GroupTotals.FromRow(row) : new GroupTotals();
    }

    public void SetAggregate(TokenUsageRow row)
    {
        Rebuild = true;
        AggregateRow = row;
        NewCount = 1;
    }

    public string Kind => AggregateRow is not null ? RowKind : CallsKind;
}
