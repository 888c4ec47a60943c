namespace TokenTelemetry.Pricing;

/// <summary>
/// Pricing warnings, summarised: each distinct problem is reported once, for the first <see cref="Listed"/> distinct
/// ones; after that the pricer only counts, and says so at 1, 10, 100, 1,000, … further occurrences. A run over a
/// million distinct unknown models prints a few dozen lines and keeps a few dozen keys, not a million of each.
/// </summary>
public sealed class WarningLog(Action<string>? warn, int listed = WarningLog.DefaultListed)
{
    public const int DefaultListed = 20;
    private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
    private long _nextMilestone = 1;

    public int Listed => listed;
    /// <summary>Warnings not printed one by one (each an occurrence, e.g. one call of an unlisted model).</summary>
    public long Unlisted { get; private set; }

    public void Warn(string key, string message)
    {
        lock (_listed)
        {
            if (_listed.Contains(key)) return;
            if (_listed.Count < listed)
            {
                _listed.Add(key);
                warn?.Invoke(message);
                return;
            }
            if (++Unlisted < _nextMilestone) return;
            _nextMilestone *= 10;
        }
        warn?.Invoke($"{Unlisted:N0} more pricing warning(s) beyond the first {listed} distinct ones (models without a price or a rate); not listed one by one — their cost stays NULL or uses the fallbacks of docs/pricing.md");
    }

    /// <summary>One closing line for the end of a run, or null when every warning was listed.</summary>
    public string? Summary() =>
        Unlisted == 0 ? null : $"{Unlisted:N0} pricing warning(s) in all beyond the {listed} listed (see docs/pricing.md)";
}
