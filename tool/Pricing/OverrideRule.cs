namespace TokenTelemetry.Pricing;

/// <summary>A pricing.overrides entry: rates that win over the table's for <see cref="Key"/> while <see cref="Span"/> holds.</summary>
public sealed record OverrideRule(string Key, PriceOverride Rates, DateSpan Span)
{
    /// <summary>How provenance and explanations name it: "override gpt-4o from 2026-11-01 to 2026-11-15".</summary>
    public string Label => $"override {Key}{Span.Label()}";
}
