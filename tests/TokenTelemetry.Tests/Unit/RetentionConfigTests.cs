using Shouldly;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Tests.Unit;

/// <summary>retention.hourly_days: empty keeps everything; a number of days is at least a month, since detail goes
/// a whole month partition at a time.</summary>
public sealed class RetentionConfigTests
{
    private static LoadedConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "config.yaml", "", _ => null, requireSources: true);

    [Fact]
    public void Empty_keeps_all_and_a_number_of_days_is_read()
    {
        Parse("").Config.Retention.HourlyDays.ShouldBeNull();
        Parse("retention:\n  hourly_days:\n").Config.Retention.HourlyDays.ShouldBeNull();
        Parse("retention:\n  hourly_days: 400\n").Config.Retention.HourlyDays.ShouldBe(400);
    }

    [Fact]
    public void Fewer_days_than_a_month_or_not_a_number_is_an_error_naming_the_key()
    {
        var error = Should.Throw<ConfigException>(() => Parse("retention:\n  hourly_days: 30\n"));
        error.Problems.ShouldHaveSingleItem().Path.ShouldBe("retention.hourly_days");
        error.ToErrorLine().ShouldStartWith("error: config.yaml: retention.hourly_days (line 2): must be at least 31 (a month: detail is dropped by whole months), or empty to keep all");
        Should.Throw<ConfigException>(() => Parse("retention:\n  hourly_days: a year\n")).Problems.ShouldHaveSingleItem().Path.ShouldBe("retention.hourly_days");
    }
}
