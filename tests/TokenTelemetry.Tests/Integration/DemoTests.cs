using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_end_to_end_and_a_rerun_gives_the_same_totals()
    {
        using var dir = new TempDirectory();
        try
        {
            var first = await Cli.RunAsync(dir.Path, "demo");
            first.ExitCode.ShouldBe(0, first.Stderr);
            first.StdoutLines.ShouldContain("all 11 checks pass");
            first.StdoutLines.ShouldContain(l => l.StartsWith("requests       ok       11 row(s)", StringComparison.Ordinal));
            first.Stderr.ShouldContain("[6/6] report");
            first.StdoutLines.ShouldContain("Grafana kit: 14 files in instances/demo/grafana (import dashboards/*.json, or provision; see grafana/README.md)");
            var total = first.StdoutLines.Single(l => l.StartsWith("*TOTAL", StringComparison.Ordinal));
            // input: 172,464 over the 12 recorded calls (11 models) + 340,000 in the manual CSV; the subscription
            // periods in the report depend on today's date, so cost is checked as unchanged by a rerun only.
            total.ShouldStartWith("*TOTAL                                    512,464        154,073       70,141        7,217        441");

            var again = await Cli.RunAsync(dir.Path, "demo");
            again.ExitCode.ShouldBe(0, again.Stderr);
            again.StdoutLines.Single(l => l.StartsWith("*TOTAL", StringComparison.Ordinal)).ShouldBe(total);

            var reset = await Cli.RunAsync(dir.Path, "demo", "--reset");
            reset.ExitCode.ShouldBe(0, reset.Stderr);
            reset.Stderr.ShouldContain("creating an embedded PostgreSQL");
        }
        finally
        {
            await Cli.RunAsync(dir.Path, "db", "stop", "--instance", "demo");
        }
    }
}
