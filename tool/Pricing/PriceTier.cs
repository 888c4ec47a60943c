namespace TokenTelemetry.Pricing;

/// <summary>
/// Rates that apply to a WHOLE request once its total input (cache included) exceeds <see cref="AboveTokens"/>
/// (LiteLLM's *_above_&lt;N&gt;k_tokens keys). Absent rates fall back to the model's base rates.
/// </summary>
public sealed record PriceTier(long AboveTokens, Rates Rates);
