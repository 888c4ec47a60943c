namespace TokenTelemetry.Usage;

/// <summary>
/// The bounds a record must keep to be stored (DESIGN §4.15: a record the database would refuse is caught before
/// writing, alone). No single call or aggregate row comes near them; a value beyond them is a corrupt or hostile
/// line, and rejecting that line keeps its neighbours. docs/schema.md lists them.
/// </summary>
public static class UsageLimits
{
    /// <summary>The largest token or request count one record (a call, or one aggregate row) may carry: 10^12.
    /// Sums of many records are checked against bigint separately, never wrapped.</summary>
    public const long MaxCount = 1_000_000_000_000L;

    /// <summary>cost_usd and cache_savings_usd are numeric(18, 9): below 10^9 USD.</summary>
    public const decimal MaxCostUsd = 999_999_999.999999999m;

    /// <summary>Labels (model, provider, user, project, source) longer than this are refused.</summary>
    public const int MaxLabelLength = 512;

    /// <summary>Why a label cannot be stored, or null: NUL and other control characters (PostgreSQL refuses NUL in
    /// text; the others break tables, CSV and dashboards), or an absurd length.</summary>
    public static string? LabelProblem(string name, string? value)
    {
        if (value is null) return null;
        if (value.Length > MaxLabelLength) return $"{name} is {value.Length} characters long (at most {MaxLabelLength})";
        foreach (var c in value)
            if (char.IsControl(c)) return $"{name} contains a control character (U+{(int)c:X4})";
        return null;
    }

    /// <summary>Why a count cannot be stored, or null.</summary>
    public static string? CountProblem(string name, long? value) =>
        value is > MaxCount ? $"{name} {value} is beyond the maximum of {MaxCount:N0} per record" : null;

    /// <summary>Why a cost cannot be stored, or null.</summary>
    public static string? CostProblem(string name, decimal? value) =>
        value is null ? null
        : value < 0 ? $"{name} {value} is negative"
        : value > MaxCostUsd ? $"{name} {value} is beyond the column's limit (below 1e9 USD)"
        : null;
}
