namespace TokenTelemetry.Pricing;

/// <summary>USD per token for each bucket of the canonical usage; NULL where the table has no rate.</summary>
public sealed record Rates
{
    public decimal? Input { get; init; }
    public decimal? Output { get; init; }
    public decimal? CacheRead { get; init; }
    /// <summary>A 5-minute cache write (LiteLLM's cache_creation_input_token_cost).</summary>
    public decimal? CacheWrite { get; init; }
    /// <summary>A 1-hour cache write (cache_creation_input_token_cost_above_1hr).</summary>
    public decimal? CacheWrite1h { get; init; }
    public decimal? Reasoning { get; init; }

    public Rates Over(Rates baseRates) => new()
    {
        Input = Input ?? baseRates.Input,
        Output = Output ?? baseRates.Output,
        CacheRead = CacheRead ?? baseRates.CacheRead,
        CacheWrite = CacheWrite ?? baseRates.CacheWrite,
        CacheWrite1h = CacheWrite1h ?? baseRates.CacheWrite1h,
        Reasoning = Reasoning ?? baseRates.Reasoning,
    };
}
