using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

public sealed class SpendReportTests
{
    [Fact]
    public async Task Groups_sum_with_nulls_kept_and_the_cache_ratio_ignores_rows_without_cache()
    {
        var harness = await EngineHarness.CreateAsync();
        TokenUsageRow[] rows =
        [
            Rows.Usage("openai", "gpt-4o", hour: 1, input: 1000, cachedRead: 800, output: 100, cost: 0.01m),
            Rows.Usage("openai", "gpt-4o-mini", hour: 2, input: 3000, cachedRead: null, output: 50, cost: 0.002m),
            Rows.Usage("copilot", "copilot-cli", hour: 3, input: null, cachedRead: null, output: null, cost: null) with { Provider = "github" },
            Rows.Usage("subscriptions", "Team", hour: 0, input: null, cachedRead: null, output: null, cost: 150m) with
            {
                Provider = "openai", MeasurementBasis = MeasurementBasis.DerivedEstimate, CostBasis = CostBasis.Subscription,
            },
        ];
        await using (var connection = await harness.OpenAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await new UsageWriter(harness.Schema, ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
            await tx.CommitAsync();
        }

        await using var read = await harness.OpenAsync();
        var byProvider = await new SpendReport(harness.Schema).RunAsync(read, "provider", Rows.Day, Rows.Day.AddDays(1), CancellationToken.None);

        byProvider.ShouldBe([
            // 1000 + 3000 input; cache ratio only over the gpt-4o row that reports cache: 800 / 1000
            new ReportRow("openai", 4000, 800, null, 150, null, 21, 150.012m, 0.8m, true, 0),
            new ReportRow("github", null, null, null, null, null, 7, null, null, false, 1),
        ]);
        SpendReport.Total(byProvider).ShouldBe(new ReportRow("TOTAL", 4000, 800, null, 150, null, 28, 150.012m, null, true, 1));
    }
}
