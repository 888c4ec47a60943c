namespace TokenTelemetry.Pricing;

/// <summary>What prices one (model, provider) in one epoch: the entry (overrides in force merged), the discounts that
/// apply, and the provenance label of both ("override gpt-4o from 2026-11-01; discount openai * 20%"), NULL when none.</summary>
public sealed record ModelLookup(ModelPrice? Price, BucketDiscounts Discounts, string? Rules);
