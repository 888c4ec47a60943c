using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Ingest;
using TokenTelemetry.Pricing;
using TokenTelemetry.Sources;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Collection, import, reprice and reconcile against an <see cref="EngineHarness"/> database with a pricer of the test's
/// choosing (a changed table, discounts, dated overrides), and the rows' cost provenance as stored.
/// </summary>
public static class CostHarness
{
    /// <summary>One row's cost as stored, with what priced it.</summary>
    public sealed record Cost(long Id, string ModelId, DateTime WindowStart, decimal? CostUsd, string? CostBasis, decimal? CacheSavingsUsd,
        string? PriceSnapshot, string? PriceKey, string? PriceRules, decimal? ListCostUsd, DateTime UpdatedAt);

    /// <summary>The bundled table with one rate changed, as a new table (another hash).</summary>
    public static PriceTable BundledWith(string key, string field, decimal value)
    {
        var json = JsonNode.Parse(EmbeddedAssets.ReadBytes("pricing/litellm_model_prices.json"))!;
        json[key]![field] = value;
        return PriceTable.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()), "the test table v2");
    }

    public static UsagePricer Pricer(PriceTable table, string pricingYaml = "", List<string>? warnings = null) =>
        new(PricingRules.FromConfig(table, ConfigLoader.Parse(pricingYaml, "config.yaml", environment: _ => null).Config.Pricing), warnings is null ? null : warnings.Add);

    public static SourceContext Context(EngineHarness harness, InstanceConfig config, UsagePricer pricer) =>
        harness.Context(config) with { Pricer = pricer };

    public static async Task<IReadOnlyList<SourceOutcome>> CollectAsync(EngineHarness harness, InstanceConfig config, UsagePricer pricer,
        IReadOnlyList<ICollectionSource> sources, CollectionRange range)
    {
        await using var database = new TelemetryDatabase(harness.ConnectionString, harness.Schema);
        return await new CollectionEngine(database, config, harness.Clock, harness.Progress.Add, harness.Warnings.Add, pricer)
            .RunCycleAsync(sources, range, CancellationToken.None);
    }

    public static async Task<IngestResult> ImportAsync(EngineHarness harness, UsagePricer pricer, IngestRequest request)
    {
        await using var database = new TelemetryDatabase(harness.ConnectionString, harness.Schema);
        return await new FileIngest(database, pricer, harness.Clock, harness.Progress.Add).RunAsync(request, CancellationToken.None);
    }

    public static async Task<RepriceResult> RepriceAsync(EngineHarness harness, UsagePricer pricer, RepriceRequest? request = null)
    {
        await using var database = new TelemetryDatabase(harness.ConnectionString, harness.Schema);
        return await new Repricer(database, pricer, harness.Progress.Add).RunAsync(request ?? new RepriceRequest(), CancellationToken.None);
    }

    public static async Task<IReadOnlyList<Cost>> CostsAsync(EngineHarness harness, string? source = null)
    {
        await using var connection = await harness.OpenAsync();
        return (await connection.QueryAsync<Cost>("""
            SELECT id AS Id, model_id AS ModelId, window_start AS WindowStart, cost_usd AS CostUsd, cost_basis::text AS CostBasis,
                   cache_savings_usd AS CacheSavingsUsd, price_snapshot AS PriceSnapshot, price_key AS PriceKey, price_rules AS PriceRules,
                   list_cost_usd AS ListCostUsd, updated_at AS UpdatedAt
            FROM telemetry.token_usage WHERE @source::text IS NULL OR source_system = @source
            ORDER BY window_start, model_id, project_id NULLS FIRST
            """, new { source })).ToList();
    }
}
