using Dapper;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Pricing;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

public sealed class VerifierTests
{
    private static InstanceConfig Config() => new()
    {
        Sources = new SourcesConfig
        {
            Copilot = new CopilotSourceConfig { Enabled = true, Token = "t", Organization = "o" },
            Openai = new OpenAiSourceConfig { Enabled = true, AdminKey = "k" },
            Subscriptions = new SubscriptionsSourceConfig { Enabled = true },
        },
    };

    private static async Task<IReadOnlyList<CheckResult>> VerifyAsync(EngineHarness harness, InstanceConfig config)
    {
        var context = harness.Context(config);
        var sources = SourceFactory.Create(context, []);
        try
        {
            await using var connection = await harness.OpenAsync();
            return await new Verifier(harness.Schema, config, sources, new ModelResolver(EngineHarness.Table), harness.Clock).RunAsync(connection, CancellationToken.None);
        }
        finally
        {
            foreach (var s in sources.OfType<IDisposable>()) s.Dispose();
        }
    }

    [Fact]
    public async Task Clean_collected_data_passes_every_check()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = Config() with { Sources = new SourcesConfig { Subscriptions = new SubscriptionsSourceConfig { Enabled = true, Plans = [new SubscriptionPlanConfig { Name = "T", Provider = "x", MonthlyUsd = 3 }] } } };
        await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)]);
        (await VerifyAsync(harness, config)).Where(r => !r.Passed).Select(r => r.Name).ShouldBeEmpty();
    }

    [Fact]
    public async Task Each_broken_invariant_is_named_with_its_offending_rows()
    {
        var harness = await EngineHarness.CreateAsync();
        var hour = Rows.Day.AddHours(3);
        TokenUsageRow[] rows =
        [
            Rows.Usage("openai", "gpt-4o", hour: 3, cost: null),                                                    // priced model, NULL cost
            Rows.Usage("openai", "my-private-model", hour: 3, cost: 1m),                                           // computed cost, no price
            Rows.Usage("copilot", "copilot-cli", hour: 0, cachedRead: 0, cost: null) with { Granularity = Granularity.Day, WindowEnd = Rows.Day.AddDays(1) }, // 0 for a metric copilot never reports
            Rows.Usage("openai", "gpt-4o-mini", hour: 4) with { WindowStart = hour.AddMinutes(30), WindowEnd = hour.AddMinutes(90) }, // off the hour grid
            // A month row of an earlier version beside a day row of the same plan: the day is counted twice.
            Rows.Usage("subscriptions", "Team", cost: 20m) with { Granularity = Granularity.Month, WindowStart = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), WindowEnd = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), MeasurementBasis = MeasurementBasis.DerivedEstimate, CostBasis = CostBasis.Subscription, InputTokens = null, CachedReadTokens = null, OutputTokens = null },
            Rows.Usage("subscriptions", "Team", cost: 0.666666666m) with
            {
                Granularity = Granularity.Day, WindowEnd = Rows.Day.AddDays(1), MeasurementBasis = MeasurementBasis.DerivedEstimate, CostBasis = CostBasis.Subscription, InputTokens = null, CachedReadTokens = null, OutputTokens = null,
                RawUsage = """{"adapter":"subscriptions","period_start":"2026-11-01","period_end":"2026-12-01","period_days":30,"period_usd":20,"day_of_period":20}""",
            },
        ];
        await using (var connection = await harness.OpenAsync())
        {
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
                await tx.CommitAsync();
            }
            await connection.ExecuteAsync("""
                INSERT INTO telemetry.billed_cost (source_system, bucket_start, bucket_end, amount_usd, currency) VALUES ('openai', @day, @next, 5, 'USD');
                INSERT INTO telemetry.rollup_watermark (source_system, user_id, last_processed_end) VALUES ('openai', NULL, @offGrid);
                """, new { day = Rows.Day.UtcDateTime, next = Rows.Day.AddDays(1).UtcDateTime, offGrid = hour.AddMinutes(7).UtcDateTime });
        }

        var failed = (await VerifyAsync(harness, Config())).Where(r => !r.Passed).ToDictionary(r => r.Name);

        failed.Keys.Order().ShouldBe([
            "cost_drift_vs_billed", "cost_matches_price_table", "heartbeat_fresh", "null_semantics",
            "subscription_periods_overlap", "subscription_periods_sum_to_price", "watermarks_on_grid", "windows_off_grid",
        ]);
        failed["subscription_periods_overlap"].Examples.ShouldHaveSingleItem()["window_start"].ShouldBe(Rows.Day.UtcDateTime);
        failed["subscription_periods_sum_to_price"].Examples.ShouldHaveSingleItem()["problem"].ShouldBe("stored as one month row by an earlier version: a date range shows none or all of it");
        failed["null_semantics"].Examples.ShouldHaveSingleItem()["source_system"].ShouldBe("copilot");
        failed["windows_off_grid"].Examples.ShouldHaveSingleItem()["model_id"].ShouldBe("gpt-4o-mini");
        failed["cost_matches_price_table"].Examples.Select(e => (e["model_id"], e["problem"])).Order().ShouldBe([
            ((object?)"gpt-4o", (object?)"cost NULL but the table has a price"), ("my-private-model", "computed cost but no price for the model"),
        ]);
        // openai computed 1.0125 (gpt-4o-mini) + 1 on the day vs 5 billed
        failed["cost_drift_vs_billed"].Examples.ShouldHaveSingleItem()["billed"].ShouldBe(5m);
        failed["watermarks_on_grid"].Examples.ShouldHaveSingleItem()["problem"].ShouldBe("off its window grid");
        failed["heartbeat_fresh"].Examples.ShouldHaveSingleItem()["status"].ShouldBe("never_seen");
    }

    [Fact]
    public async Task Invariants_the_schema_enforces_are_still_checked_when_its_constraints_are_gone()
    {
        // A restored dump without constraints, or a hand-edited table: verify must not rely on the schema.
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig
        {
            Sources = new SourcesConfig
            {
                Subscriptions = new SubscriptionsSourceConfig { Enabled = true, Plans = [new SubscriptionPlanConfig { Name = "T", Provider = "x", MonthlyUsd = 3 }] },
                Anthropic = new AnthropicSourceConfig { Enabled = true, AdminKey = "k" },
            },
        };
        await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)]);
        await using (var connection = await harness.OpenAsync())
        {
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx,
                    [Rows.Usage("import", "gpt-4o", hour: 1)],
                    CancellationToken.None);
                await tx.CommitAsync();
            }
            await connection.ExecuteAsync("""
                ALTER TABLE telemetry.token_usage DROP CONSTRAINT token_usage_conflict_key,
                    DROP CONSTRAINT token_usage_cache_within_input, DROP CONSTRAINT token_usage_reasoning_within_output;
                INSERT INTO telemetry.token_usage (source_system, provider, model, model_id, window_start, window_end, granularity,
                    measurement_basis, input_tokens, cached_read_tokens, output_tokens, reasoning_tokens, cost_usd, cost_basis)
                SELECT source_system, provider, model, model_id, window_start, window_end, granularity, measurement_basis,
                    input_tokens, cached_read_tokens, output_tokens, reasoning_tokens, cost_usd, cost_basis
                FROM telemetry.token_usage WHERE source_system = 'import';
                UPDATE telemetry.token_usage SET cached_read_tokens = 900, input_tokens = 500, reasoning_tokens = 400, output_tokens = 300
                WHERE id = (SELECT min(id) FROM telemetry.token_usage WHERE source_system = 'import');
                INSERT INTO telemetry.rollup_watermark (source_system, user_id, last_processed_end) VALUES ('anthropic', NULL, '2025-11-25T00:00:00Z');
                """);
        }

        var failed = (await VerifyAsync(harness, config)).Where(r => !r.Passed).ToDictionary(r => r.Name);

        failed.Keys.Order().ShouldBe([
            "cache_exceeds_input", "duplicate_conflict_keys", "enabled_sources_seen", "reasoning_exceeds_output", "watermarks_on_grid",
        ]);
        failed["duplicate_conflict_keys"].Examples.ShouldHaveSingleItem()["copies"].ShouldBe(2L);
        failed["cache_exceeds_input"].Examples.ShouldHaveSingleItem()["cached_read_tokens"].ShouldBe(900L);
        failed["reasoning_exceeds_output"].Examples.ShouldHaveSingleItem()["reasoning_tokens"].ShouldBe(400L);
        failed["watermarks_on_grid"].Examples.ShouldHaveSingleItem()["problem"].ShouldBe("in the future, ahead of any data");
        failed["enabled_sources_seen"].Examples.ShouldHaveSingleItem()["source_system"].ShouldBe("anthropic");
    }
}
