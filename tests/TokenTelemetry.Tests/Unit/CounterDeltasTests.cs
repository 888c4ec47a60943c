using Shouldly;
using TokenTelemetry.Http;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class CounterDeltasTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly CollectionRange Range = new(T0, T0.AddHours(2));

    private static List<(DateTimeOffset, long)> Deltas(params (int Minute, double Value)[] samples) =>
        CounterDeltas.Of(new PrometheusSeries(new Dictionary<string, string>(), samples.Select(s => (T0.AddMinutes(s.Minute).ToUnixTimeSeconds() * 1.0, s.Value)).ToList()),
            Range, t => WindowGrid.Floor(t, Granularity.Hour)).ToList();

    [Fact]
    public void Differences_go_to_the_window_of_the_later_sample_and_a_baseline_before_the_range_counts_nothing() =>
        Deltas((-5, 100), (0, 130), (55, 150), (60, 190), (119, 200), (120, 999)).ShouldBe([(T0, 30L), (T0, 20L), (T0.AddHours(1), 40L), (T0.AddHours(1), 10L)]);

    [Fact]
    public void A_drop_is_a_restart_and_the_new_value_is_the_increase() =>
        Deltas((-5, 1000), (10, 1100), (20, 40), (30, 70)).ShouldBe([(T0, 100L), (T0, 40L), (T0, 30L)]);

    [Fact]
    public void A_series_first_seen_inside_the_range_counts_its_first_value() =>
        Deltas((15, 300), (20, 310)).ShouldBe([(T0, 300L), (T0, 10L)]);

    [Fact]
    public void Float_formatted_counts_are_exact_integers() =>
        Deltas((-5, 1.2e6), (5, 1.200004e6)).ShouldBe([(T0, 4L)]);
}
