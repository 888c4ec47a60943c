using Shouldly;
using TokenTelemetry.Commands;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>Inputs an adversarial review found taken the wrong way: each is now read as written, or refused in one line.</summary>
public sealed class ReviewedInputTests
{
    [Theory]
    [InlineData("verify_full")] [InlineData("verfy-full")] [InlineData("1")]
    public void A_misspelt_sslmode_in_the_url_is_an_error_not_a_silent_prefer(string mode)
    {
        var error = Should.Throw<TelemetryException>(() => ConnectionStrings.FromConfig(new PostgresConfig { Url = $"postgres://u@db.internal:5432/tt?sslmode={mode}" }));
        error.Message.ShouldBe($"postgres.url: sslmode '{mode}' is not one of disable, allow, prefer, require, verify-ca, verify-full");
        new Npgsql.NpgsqlConnectionStringBuilder(ConnectionStrings.FromConfig(new PostgresConfig { Url = "postgres://u@db.internal:5432/tt?sslmode=verify-full" }))
            .SslMode.ShouldBe(Npgsql.SslMode.VerifyFull);
    }

    [Theory]
    [InlineData("13:00")] [InlineData("13:00:00Z")] [InlineData("yesterday")]
    public void A_time_on_the_command_line_needs_its_date(string text)
    {
        Should.Throw<TelemetryException>(() => IsoTime.Parse(text, "--at")).Message.ShouldBe($"--at '{text}' is not an ISO 8601 date and time");
        IsoTime.Parse("2026-11-20T13:00:00+01:00", "--at").ShouldBe(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Invisible_format_characters_in_report_labels_are_shown_escaped()
    {
        ReportTable.Printable("gpt\uFEFF-4o\u200Bx\u202E").ShouldBe("gpt\\ufeff-4o\\u200bx\\u202e");
        ReportTable.Printable("plain-model").ShouldBe("plain-model");
    }

    [Fact]
    public void Openai_created_is_read_as_iso_as_a_float_or_as_milliseconds_and_0_means_no_time()
    {
        string Line(string created) => $$$"""{"id":"c1","object":"chat.completion","created":{{{created}}},"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}""";
        var output = NormalizedOutput.Run(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n",
            Line("\"2026-11-28T13:30:00+05:00\""), Line("1795870800.5"), Line("1795870800500"), Line("0"), Line("\"soon\"")))));
        output.Usages.Select(u => u.ObservedAt).ShouldBe([
            new DateTimeOffset(2026, 11, 28, 8, 30, 0, TimeSpan.Zero), DateTimeOffset.FromUnixTimeMilliseconds(1795870800500),
            DateTimeOffset.FromUnixTimeMilliseconds(1795870800500), null]);
        output.Rejections.ShouldHaveSingleItem().ShouldStartWith("line 5: openai.chat: created \"soon\" is not a date and time");
    }
}
