using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Pricing;

/// <summary>
/// `reprice`: recomputes cost_usd and cache_savings_usd of stored rows from their token columns with the current table,
/// overrides and discounts (each window with what is in force at its start), one transaction per UTC day of window
/// starts, under the ingest lock (an import adding calls to a row waits, and never adds them to a stale cost). A row is
/// rewritten only when its cost, basis or savings change, or it has no provenance yet, so running it twice changes
/// nothing the second time. Rows of counted calls (the file-fed doors) were priced call by call: they are re-priced
/// from their sums only where that is exact — see <see cref="Decide"/> — and listed otherwise.
/// </summary>
public sealed class Repricer(TelemetryDatabase database, UsagePricer pricer, Action<string> progress)
{
    public const string Tiered = "rows of counted calls of a model with long-context rates whose calls could have crossed the threshold: the sums cannot tell which calls were long; `import --replace` their files to re-price them call by call";
    public const string Partial = "rows of counted calls of which some left a token column unknown: their sums understate the usage; `import --replace` their files";
    public const string Mixed = "rows of counted calls of several providers: which provider's discount applies is unknown; `import --replace --provider P` their files";
    public const string Unpriced = "rows still without a price: add a pricing.overrides entry for the model";

    public async Task<RepriceResult> RunAsync(RepriceRequest request, CancellationToken ct)
    {
        var result = new RepriceResult();
        var store = new RepriceStore(database.Schema);
        await using var connection = await database.OpenConnectionAsync(ct);
        await SchemaInspector.RequireVersionAsync(connection, database.Schema, 5, ct);
        if (!request.IncludeReported) result.ReportedNotRepriced = await store.CountReportedAsync(connection, request.From, request.To, request.Sources, ct);
        var (first, last) = await store.SpanAsync(connection, request.From, request.To, request.Sources, ct);
        if (first is null || last is null) return result;
        for (var day = WindowGrid.Floor(first.Value, Granularity.Day); day <= last; day = day.AddDays(1))
        {
            var (from, to) = (Max(day, request.From), Min(day.AddDays(1), request.To));
            await using var tx = await connection.BeginTransactionAsync(ct);
            await new CallLedgerStore(database.Schema).LockAsync(tx, null, progress, ct);
            var (read, written) = (0, 0L);
            await store.OpenAsync(tx, from, to, request.Sources, request.IncludeReported, ct);
            while (true)
            {
                var rows = await RepriceStore.FetchAsync(tx, PageSize, ct);
                if (rows.Count == 0) break;
                read += rows.Count;
                var updates = Page(rows, result);
                var landed = request.DryRun ? updates.Count : await store.UpdateAsync(tx, from, to, updates, ct);
                result.RewrittenMeanwhile += updates.Count - landed;
                written += landed;
                if (rows.Count < PageSize) break;
            }
            await RepriceStore.CloseAsync(tx, ct);
            if (read == 0) continue;
            result.Days++;
            if (request.DryRun || written == 0) continue;
            await new PriceSnapshotStore(database.Schema).RecordAsync(connection, tx, pricer.Rules, ct);
            await tx.CommitAsync(ct);
        }
        return result;
    }

    /// <summary>Rows read and decided per round trip: bounds memory whatever a day holds.</summary>
    public const int PageSize = 20_000;

    private List<CostUpdate> Page(List<StoredCost> rows, RepriceResult result)
    {
        var updates = new List<CostUpdate>();
        foreach (var stored in rows)
        {
            var (update, leftAlone) = Decide(stored, pricer);
            var totals = result.For(stored.Row.Provider);
            totals.Rows++;
            var old = stored.Row.CostUsd;
            if (update is null && leftAlone is not null) result.Leave(leftAlone, stored.Row.ModelId);
            var now = update is null ? old : update.CostUsd;
            (totals.OldUsd, totals.NewUsd) = (totals.OldUsd + (old ?? 0), totals.NewUsd + (now ?? 0));
            if (update is null) continue;
            updates.Add(update);
            totals.Changed++;
            if (old is null && now is not null) totals.NowPriced++;
            if (old is not null && now is null) totals.NowUnpriced++;
        }
        return updates;
    }

    /// <summary>
    /// A row's new cost, or why it is left as it was. Aggregate rows (collectors, rows files) are priced from their
    /// sums as their writers priced them (base rates). A row of counted calls sums calls each priced on its own: one
    /// call is priced as that request (tiers included); several are re-priced from their sums only when no call can have
    /// crossed a long-context threshold (the model has none, or the row's whole input is below it), all calls reported
    /// every column and came from one provider. Its stored cost is a sum of per-call costs each rounded to 1e-9 USD, so a
    /// difference of at most one nano-dollar per call is rounding, not a change.
    /// </summary>
    public static (CostUpdate? Update, string? LeftAlone) Decide(StoredCost stored, UsagePricer pricer)
    {
        var r = stored.Row;
        var single = stored.Counted && r.RequestCount == 1;
        if (stored.Counted && !single)
        {
            if (stored.PartiallyUnknown) return (null, Partial);
            if (r.Provider == "mixed") return (null, Mixed);
            var model = r.ModelId.EndsWith(UsagePricer.BatchSuffix, StringComparison.Ordinal) ? r.ModelId[..^UsagePricer.BatchSuffix.Length] : r.ModelId;
            if (pricer.Rules.At(r.WindowStart).Lookup(model, r.Provider).Price is { Tiers.Count: > 0 } price && MayCross(price, r)) return (null, Tiered);
        }
        var usage = new UsageTelemetry
        {
            InputTokens = r.InputTokens, CachedReadTokens = r.CachedReadTokens, CachedWriteTokens = r.CachedWriteTokens,
            CachedWrite1hTokens = r.CachedWrite1hTokens, OutputTokens = r.OutputTokens, ReasoningTokens = r.ReasoningTokens,
            RequestCount = r.RequestCount, Model = r.ModelId, Provider = r.Provider,
        };
        var priced = pricer.PriceStored(usage, r.ModelId, aggregate: !single, r.WindowStart);
        var tolerance = stored.Counted ? Math.Max(1, r.RequestCount ?? 1) * 0.000000001m : 0m;
        var costSame = Same(r.CostUsd, priced.CostUsd, tolerance);
        var savingsSame = Same(r.CacheSavingsUsd, priced.CacheSavingsUsd, tolerance);
        var stamp = priced.Provenance is not null && stored.Snapshot is null;
        if (costSame && savingsSame && r.CostBasis == priced.Basis && !stamp)
            return (null, priced.CostUsd is null ? Unpriced : null);
        var reported = r.CostBasis == CostBasis.ProviderReported ? r.CostUsd : null;
        // Within rounding, the stored per-call sum is the more exact figure: keep it, record only the provenance.
        return costSame && savingsSame && r.CostBasis == priced.Basis
            ? (new CostUpdate(stored.Id, r.CostUsd, r.CostBasis, r.CacheSavingsUsd, priced.Provenance, null, stored.UpdatedAt), null)
            : (new CostUpdate(stored.Id, priced.CostUsd, priced.Basis, priced.CacheSavingsUsd, priced.Provenance, reported, stored.UpdatedAt), priced.CostUsd is null ? Unpriced : null);
    }

    private static bool MayCross(ModelPrice price, TokenUsageRow r)
    {
        var lowest = price.Tiers.Min(t => t.AboveTokens);
        var input = r.InputTokens ?? 0;
        return price.Provider == "xai" || r.Provider == "xai" ? input >= lowest : input > lowest;
    }

    private static bool Same(decimal? a, decimal? b, decimal tolerance) =>
        a is null ? b is null : b is not null && Math.Abs(a.Value - b.Value) <= tolerance;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
