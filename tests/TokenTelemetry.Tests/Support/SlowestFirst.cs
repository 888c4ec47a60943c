using Xunit.Abstractions;

[assembly: TestCollectionOrderer("TokenTelemetry.Tests.Support.SlowestFirst", "TokenTelemetry.Tests")]

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Starts the test classes that take longest first (longest-job-first keeps the run from ending on one long class
/// started last); the rest keep xunit's order. The list is from TestResults/results.trx durations: a class missing
/// from it only loses its head start.
/// </summary>
public sealed class SlowestFirst : ITestCollectionOrderer
{
    private static readonly string[] Slowest =
    [
        "CrashSafetyTests", "RunbookTests", "PanelEquivalenceTests", "LiteLlmSourceTests", "EmbeddedScheduleTests",
        "DotnetRootTests", "ScheduleTests", "SecretFilesTests", "EmbeddedPortTests", "DaemonTests", "DemoTests", "CliTests",
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.Select((c, i) => (Collection: c, Order: Rank(c.DisplayName), Index: i))
            .OrderBy(c => c.Order).ThenBy(c => c.Index).Select(c => c.Collection);

    private static int Rank(string displayName)
    {
        var name = displayName[(displayName.LastIndexOf('.') + 1)..];
        var rank = Array.IndexOf(Slowest, name);
        return rank < 0 ? Slowest.Length : rank;
    }
}
