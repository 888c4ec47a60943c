using Shouldly;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

public sealed class WindowGridTests
{
    private static DateTimeOffset T(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-20T14:42:26Z", Granularity.FifteenMinutes, "2026-11-20T14:30:00Z", "2026-11-20T14:45:00Z")]
    [InlineData("2026-11-20T14:42:26Z", Granularity.Hour, "2026-11-20T14:00:00Z", "2026-11-20T15:00:00Z")]
    [InlineData("2026-11-20T14:42:26Z", Granularity.Day, "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z", Granularity.Month, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2026-11-20T14:42:26+02:00", Granularity.Hour, "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z")]
    public void Floor_and_ceiling_are_on_the_utc_grid(string at, Granularity g, string floor, string ceiling)
    {
        WindowGrid.Floor(T(at), g).ShouldBe(T(floor));
        WindowGrid.Ceiling(T(at), g).ShouldBe(T(ceiling));
    }

    [Fact]
    public void An_aligned_point_is_its_own_ceiling_and_windows_tile()
    {
        var start = T("2026-02-01T00:00:00Z");
        WindowGrid.Ceiling(start, Granularity.Month).ShouldBe(start);
        WindowGrid.Next(start, Granularity.Month).ShouldBe(T("2026-03-01T00:00:00Z"));
        WindowGrid.Next(T("2026-11-20T23:45:00Z"), Granularity.FifteenMinutes).ShouldBe(T("2026-11-21T00:00:00Z"));
        WindowGrid.IsAligned(T("2026-11-20T10:15:00Z"), Granularity.Hour).ShouldBeFalse();
    }
}
