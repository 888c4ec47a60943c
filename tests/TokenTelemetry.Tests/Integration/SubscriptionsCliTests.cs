using System.Text.Json;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`collect` then `report --since 7d`, as a user runs them, on today's real date.</summary>
public sealed class SubscriptionsCliTests
{
    [Fact]
    public async Task Report_since_7d_shows_7_days_share_of_a_plan_billed_on_the_1st_whatever_the_date()
    {
        // $377,580 divides by 28, 29, 30 and 31, so every day's share is exact whichever month today falls in:
        // 13,485 (28 days), 13,020 (29), 12,586 (30) or 12,180 (31) a day.
        var start = DateTime.UtcNow.Date.AddDays(-70);
        using var instance = await CliInstance.CreateAsync($"""
            subscriptions:
              enabled: true
              plans:
                - name: Enterprise
                  provider: openai
                  monthly_usd: 377580
                  billing_day: 1
                  start: {start:yyyy-MM-dd}
            """);
        JsonElement report = default;
        DateTime today;
        do
        {
            today = DateTime.UtcNow.Date;
            var collect = await instance.RunAsync("collect");
            collect.ExitCode.ShouldBe(0, collect.Stderr);
            var result = await instance.RunAsync("report", "--since", "7d", "--by", "source", "--format", "json");
            result.ExitCode.ShouldBe(0, result.Stderr);
            report = JsonDocument.Parse(result.Stdout).RootElement;
        }
        while (DateTime.UtcNow.Date != today); // midnight passed between collect and report: run both again

        // The 7 days in [now − 7 d, now) are today and the 6 before it.
        var expected = Enumerable.Range(0, 7).Select(i => today.AddDays(-i)).Sum(d => 377_580m / DateTime.DaysInMonth(d.Year, d.Month));
        var row = report.GetProperty("rows").EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("key").GetString().ShouldBe("subscriptions");
        row.GetProperty("cost_usd").GetDecimal().ShouldBe(expected);
        row.GetProperty("estimated").GetBoolean().ShouldBeTrue();
        row.GetProperty("input_tokens").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
