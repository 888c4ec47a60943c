namespace TokenTelemetry.Pricing;

/// <summary>
/// What a `reprice` did (or, dry, would do): totals per provider, the rows it left as they were and why (each reason
/// with its row count and up to a few models), the provider-reported rows it did not look at, the days it covered, and
/// the rows a collector rewrote while it ran.
/// </summary>
public sealed class RepriceResult
{
    public SortedDictionary<string, RepriceTotals> Providers { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, (long Rows, SortedSet<string> Models)> LeftAlone { get; } = new(StringComparer.Ordinal);
    public long ReportedNotRepriced { get; set; }
    public int Days { get; set; }
    /// <summary>Rows a writer (a collector) rewrote between being read and re-priced: left as that writer priced them.</summary>
    public long RewrittenMeanwhile { get; set; }

    public long Changed => Providers.Values.Sum(p => p.Changed) - RewrittenMeanwhile;

    public RepriceTotals For(string provider) =>
        Providers.TryGetValue(provider, out var totals) ? totals : Providers[provider] = new RepriceTotals();

    public void Leave(string reason, string model)
    {
        var (rows, models) = LeftAlone.TryGetValue(reason, out var known) ? known : (0, new SortedSet<string>(StringComparer.Ordinal));
        if (models.Count < 5) models.Add(model);
        LeftAlone[reason] = (rows + 1, models);
    }
}
