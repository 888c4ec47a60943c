using System.Text.Json;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_end_to_end_and_a_rerun_gives_the_same_totals()
    {
        using var dir = new TempDirectory();
        // Pinned, so the subscription days in the report are known: the plans start 2026-10-01, the report covers
        // 2026-10-14 12:00 → 2026-11-28 13:00, i.e. the days from Oct 15.
        var env = new Dictionary<string, string> { ["TT_NOW"] = "2026-11-28T12:00:00Z" };
        try
        {
            var first = await Cli.RunAsync(dir.Path, env, "demo");
            first.ExitCode.ShouldBe(0, first.Stderr);
            first.StdoutLines.ShouldContain("all 17 checks pass");
            first.StdoutLines.ShouldContain("requests       ok       11 record(s): 11 newly counted, 0 already counted; 11 row(s) written, 2 meter reading(s); 0 rejected");
            first.Stderr.ShouldContain("[6/6] report");
            first.StdoutLines.ShouldContain("Grafana kit: 14 files in instances/demo/grafana (import dashboards/*.json, or provision; see grafana/README.md)");
            var total = first.StdoutLines.Single(l => l.StartsWith("*TOTAL", StringComparison.Ordinal));
            // input: 172,464 over the 12 recorded calls (11 models) + 340,000 in the manual CSV; cost: 368.924731184 of
            // subscriptions + 4.388 manual + 0.172277222 of request logs.
            total.ShouldBe("*TOTAL                                    512,464        154,073       70,141        7,217        441        —         373.49");
            var byModel = await Cli.RunAsync(dir.Path, env, "report", "--instance", "demo", "--from", "2026-10-14T12:00:00Z", "--to", "2026-11-28T13:00:00Z", "--by", "model", "--format", "json");
            byModel.ExitCode.ShouldBe(0, byModel.Stderr);
            var costs = JsonDocument.Parse(byModel.Stdout).RootElement.GetProperty("rows").EnumerateArray()
                .ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("cost_usd"));
            // ChatGPT Team, $30 × 5 seats billed on the 1st: Oct 15–30 at 150/31 = 4.838709677, Oct 31 the rest
            // (4.838709690), Nov 1–28 at 150/30 = 5 → 77.419354832 + 4.838709690 + 140.
            costs["ChatGPT Team"].GetDecimal().ShouldBe(222.258064522m);
            // Claude Max, $100 billed on the 15th: Oct 15 – Nov 15 whole (100), Nov 15–28 at 100/30 = 3.333333333 → 14 days.
            costs["Claude Max"].GetDecimal().ShouldBe(146.666666662m);
            JsonDocument.Parse(byModel.Stdout).RootElement.GetProperty("total").GetProperty("cost_usd").GetDecimal().ShouldBe(373.485008406m);

            var again = await Cli.RunAsync(dir.Path, env, "demo");
            again.ExitCode.ShouldBe(0, again.Stderr);
            again.StdoutLines.Single(l => l.StartsWith("*TOTAL", StringComparison.Ordinal)).ShouldBe(total);
            // The same files read again: every call is known by its identity, nothing is counted twice.
            again.StdoutLines.ShouldContain("requests       ok       11 record(s): 0 newly counted, 11 already counted; 0 row(s) written, 2 meter reading(s); 0 rejected");

            var reset = await Cli.RunAsync(dir.Path, env, "demo", "--reset");
            reset.ExitCode.ShouldBe(0, reset.Stderr);
            reset.Stderr.ShouldContain("creating an embedded PostgreSQL");
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "demo");
        }
    }
}
