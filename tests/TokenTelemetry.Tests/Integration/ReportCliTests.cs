using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>`report` as a user runs it: labels from the data cannot forge table lines or spreadsheet formulas, and
/// periods that make no sense are one-line errors.</summary>
public sealed class ReportCliTests
{
    private const string From = "2026-11-20T00:00:00Z";
    private const string To = "2026-11-21T00:00:00Z";

    private static async Task<CliInstance> SeedAsync()
    {
        var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");
        TokenUsageRow[] rows =
        [
            Rows.Usage("openai", "gpt-4o\nTOTAL  999", hour: 1, project: "=HYPERLINK(\"http://x.example\",\"open\")", cost: 1.5m),
            Rows.Usage("openai", "o3\r\u001b[31mred\u202Eevil", hour: 2, project: "+1+2", cost: 0.25m),
            Rows.Usage("openai", "gpt-4o-mini", hour: 3, project: "-3", cost: 0.125m),
            Rows.Usage("openai", "gpt-4.1", hour: 4, project: "@SUM(A1)", cost: 0.0625m),
            Rows.Usage("openai", "gpt-5", hour: 5, project: "\tweb", cost: 0.03125m),
        ];
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        await connection.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await new UsageWriter(new SchemaName("telemetry"), ConflictMode.NullsNotDistinct).UpsertAsync(tx, rows, CancellationToken.None);
        await tx.CommitAsync();
        return instance;
    }

    [Fact]
    public async Task Control_characters_in_labels_are_shown_escaped_so_a_label_cannot_forge_table_lines()
    {
        using var instance = await SeedAsync();

        var table = await instance.RunAsync("report", "--by", "model", "--from", From, "--to", To);

        table.ExitCode.ShouldBe(0, table.Stderr);
        static string Row(string name, string cost) => $"{name,-34} {"1,000",14} {"200",14} {"300",12} {"—",12} {"7",10} {"20.0",8} {cost,14}";
        table.StdoutLines.ShouldBe([
            "2026-11-20 00:00 → 2026-11-21 00:00 UTC, by model",
            $"{"model",-34} {"input",14} {"cached read",14} {"output",12} {"reasoning",12} {"requests",10} {"cache %",8} {"cost USD",14}",
            Row("gpt-4o\\nTOTAL  999", "1.50"),
            Row("o3\\r\\u001b[31mred\\u202eevil", "0.25"),
            Row("gpt-4o-mini", "0.13"),
            Row("gpt-4.1", "0.06"),
            Row("gpt-5", "0.03"),
            $"{"TOTAL",-34} {"5,000",14} {"1,000",14} {"1,500",12} {"—",12} {"35",10} {"—",8} {"1.97",14}",
            "— = not reported by the source(s); * = includes estimates (subscriptions); cache % counts only rows that report cache reads",
        ]);
    }

    [Fact]
    public async Task Csv_fields_that_a_spreadsheet_would_run_as_formulas_are_escaped()
    {
        using var instance = await SeedAsync();

        var csv = await instance.RunAsync("report", "--by", "project", "--format", "csv", "--from", From, "--to", To);

        csv.ExitCode.ShouldBe(0, csv.Stderr);
        csv.Stdout.ShouldBe("""
            project,input_tokens,cached_read_tokens,cached_write_tokens,output_tokens,reasoning_tokens,request_count,cost_usd,cache_ratio,estimated,unpriced_rows
            "'=HYPERLINK(""http://x.example"",""open"")",1000,200,,300,,7,1.500000000,0.2000,false,0
            "'+1+2",1000,200,,300,,7,0.250000000,0.2000,false,0
            "'-3",1000,200,,300,,7,0.125000000,0.2000,false,0
            "'@SUM(A1)",1000,200,,300,,7,0.062500000,0.2000,false,0
            "'	web",1000,200,,300,,7,0.031250000,0.2000,false,0
            TOTAL,5000,1000,,1500,,35,1.968750000,,false,0

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "--since", "99999999999d" }, "error: --since '99999999999d' reaches back before 1970 (give a shorter period, e.g. 30d, or --from/--to)")]
    [InlineData(new[] { "--since", "30000d" }, "error: --since '30000d' reaches back before 1970 (give a shorter period, e.g. 30d, or --from/--to)")]
    [InlineData(new[] { "--since", "0h" }, "error: --since '0h' is an empty period (e.g. 24h, 7d, 30d)")]
    [InlineData(new[] { "--since", "-7d" }, "error: --since '-7d' is not a duration (e.g. 24h, 7d, 30d)")]
    [InlineData(new[] { "--from", "2026-11-21T00:00:00Z", "--to", "2026-11-20T00:00:00Z" }, "error: --from 2026-11-21T00:00:00Z is not before --to 2026-11-20T00:00:00Z (the period is [from, to): swap them)")]
    [InlineData(new[] { "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-20T00:00:00Z" }, "error: --from 2026-11-20T00:00:00Z is not before --to 2026-11-20T00:00:00Z (the period is [from, to): an empty one holds nothing)")]
    public async Task Periods_that_make_no_sense_are_one_line_errors(string[] args, string error)
    {
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false");

        var result = await instance.RunAsync(["report", .. args]);

        result.ExitCode.ShouldBe(1);
        result.StderrLines.ShouldBe([error]);
        result.Stdout.ShouldBeEmpty();
    }
}
