using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class WindowPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 14, 7, 0, TimeSpan.Zero);
    private static DateTimeOffset T(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);
    private static readonly SchedulerConfig Scheduler = new() { LagMinutes = 10, MaxBackfillHours = 72, LookbackDays = 2 };
    private static readonly SourceCapabilities Hourly = new() { Granularity = Granularity.Hour };

    [Fact]
    public void A_first_run_starts_max_backfill_hours_back_and_stops_at_now_minus_lag() =>
        WindowPlanner.Plan(Hourly, Scheduler, Now, null, null).ShouldBe(new CollectionRange(T(17, 14), T(20, 13)));

    [Fact]
    public void A_watermark_continues_where_it_stopped() =>
        WindowPlanner.Plan(Hourly, Scheduler, Now, T(20, 10), null).ShouldBe(new CollectionRange(T(20, 10), T(20, 13)));

    [Fact]
    public void A_late_finalizing_source_reaches_back_lookback_days_complete_days() =>
        WindowPlanner.Plan(Hourly with { FinalizesLate = true }, Scheduler, Now, T(20, 10), null).ShouldBe(new CollectionRange(T(18, 0), T(20, 13)));

    [Fact]
    public void One_cycle_never_reaches_further_than_max_backfill_hours() =>
        WindowPlanner.Plan(Hourly, Scheduler with { MaxBackfillHours = 5 }, Now, T(1, 0), null).ShouldBe(new CollectionRange(T(1, 0), T(1, 5)));

    [Fact]
    public void Retention_clamps_the_start_and_says_what_was_lost()
    {
        var warnings = new List<string>();
        WindowPlanner.Plan(Hourly with { BackfillDepth = TimeSpan.FromDays(1) }, Scheduler, Now, T(15, 0), warnings.Add)
            .ShouldBe(new CollectionRange(T(19, 15), T(20, 13)));
        warnings.ShouldBe(["the provider keeps only 1 days: 2026-11-15 00:00:00Z to 2026-11-19 15:00:00Z can no longer be collected"]);
    }

    [Fact]
    public void Nothing_is_due_when_the_watermark_is_at_the_lagged_now() =>
        WindowPlanner.Plan(Hourly, Scheduler, Now, T(20, 13), null).ShouldBeNull();
}
