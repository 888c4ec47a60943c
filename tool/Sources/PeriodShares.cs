namespace TokenTelemetry.Sources;

/// <summary>
/// Splits a billing period's price over its days so that any date range shows its share and the period still sums to
/// the price exactly: each day takes the price / days truncated to the 9 decimals of cost_usd (numeric(18,9)), the
/// last day takes what is left. $20 over 30 days = 0.666666666 × 29 + 0.666666686.
/// </summary>
public static class PeriodShares
{
    /// <summary>The decimals token_usage.cost_usd keeps; a price with more could not sum exactly.</summary>
    public const int Decimals = 9;

    /// <summary>The share of day <paramref name="dayIndex"/> (0-based) of a <paramref name="days"/>-day period.</summary>
    public static decimal Of(decimal price, int days, int dayIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(dayIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(dayIndex, days);
        // Truncated, never rounded up: the days before the last can then never sum to more than the price.
        var share = Math.Round(price / days, Decimals, MidpointRounding.ToZero);
        return dayIndex < days - 1 ? share : price - share * (days - 1);
    }

    /// <summary>Whether a price can be split exactly at cost_usd's precision: at most 9 decimals.</summary>
    public static bool IsExact(decimal price) => Math.Round(price, Decimals) == price;
}
