using TokenTelemetry.Model;

namespace TokenTelemetry.Database;

/// <summary>
/// A stored row as `reprice` sees it: its id, the row, the snapshot that computed its cost (NULL: none recorded),
/// whether it sums counted calls (a call-ledger row of the file-fed doors: each call was priced on its own) and
/// whether some of those calls left a token column unknown (raw_usage.partially_unknown), and its updated_at as read
/// (the rewrite only lands if no writer changed the row since).
/// </summary>
public sealed record StoredCost(long Id, TokenUsageRow Row, string? Snapshot, bool Counted, bool PartiallyUnknown, DateTime UpdatedAt);
