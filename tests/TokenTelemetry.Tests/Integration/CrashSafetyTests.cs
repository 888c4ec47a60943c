using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Model;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>Invariant 12 under a real SIGKILL, and the per-source lock between two collectors.</summary>
public sealed class CrashSafetyTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 20, 0, 0, 0, TimeSpan.Zero);
    // Long enough that the kill, which comes once the watermark is past the first day (~30 windows in), lands well
    // before the end (asserted below, so a too-fast run fails rather than proving nothing); every window is collected
    // three times over the test (reference, killed run, rerun), so each hour here costs the suite three windows.
    private const int Hours = 500;

    /// <summary>An OpenAI usage API generating two results per hour for any range, 168 buckets a page.</summary>
    private static async Task Generate(HttpListenerContext c)
    {
        var q = c.Request.QueryString;
        if (c.Request.Url!.AbsolutePath == "/v1/organization/costs")
        {
            await FixtureHttpServer.Respond(c, 200, Costs(long.Parse(q["start_time"]!, CultureInfo.InvariantCulture), long.Parse(q["end_time"]!, CultureInfo.InvariantCulture)));
            return;
        }
        if (c.Request.Url!.AbsolutePath != "/v1/organization/usage/completions")
        {
            await FixtureHttpServer.Respond(c, 200, """{"data":[],"has_more":false,"next_page":null}""");
            return;
        }
        var start = long.Parse(q["page"] ?? q["start_time"]!, CultureInfo.InvariantCulture);
        var end = long.Parse(q["end_time"]!, CultureInfo.InvariantCulture);
        var json = new StringBuilder("""{"object":"page","data":[""");
        var t = start;
        for (var n = 0; n < 168 && t < end; n++, t += 3600)
        {
            var h = t / 3600 % 1000;
            json.Append(n == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""
                {"start_time":{{t}},"end_time":{{t + 3600}},"results":[
                {"input_tokens":{{1000 + h}},"input_cached_tokens":{{h}},"output_tokens":{{50 + h}},"num_model_requests":2,"project_id":"p","model":"gpt-4o"},
                {"input_tokens":{{300 + h}},"output_tokens":7,"num_model_requests":1,"project_id":"q","model":"gpt-4o-mini"}]}
                """);
        }
        json.Append(CultureInfo.InvariantCulture, $$"""],"has_more":{{(t < end ? "true" : "false")}},"next_page":{{(t < end ? $"\"{t}\"" : "null")}}}""");
        await FixtureHttpServer.Respond(c, 200, json.ToString());
    }

    /// <summary>The Costs API: one line per day of the range, billed (day number since the epoch) / 100 USD.</summary>
    private static string Costs(long start, long end)
    {
        var json = new StringBuilder("""{"object":"page","data":[""");
        for (var t = start; t < end; t += 86400)
            json.Append(t == start ? "" : ",").Append(CultureInfo.InvariantCulture, $$"""
                {"start_time":{{t}},"end_time":{{t + 86400}},"results":[{"amount":{"value":{{t / 86400 / 100m}},"currency":"usd"},"line_item":"completions","project_id":"p"}]}
                """);
        return json.Append("""],"has_more":false,"next_page":null}""").ToString();
    }

    private static async Task<CliInstance> InstanceAsync(FixtureHttpServer server, bool costs = false)
    {
        var instance = await CliInstance.CreateAsync($"""
            openai:
              enabled: true
              base_url: {server.BaseUrl}
              admin_key: sk-test
              costs: {(costs ? "true" : "false")}
            """);
        var config = Path.Combine(instance.Directory, "config.yaml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("max_backfill_hours: 1000", $"max_backfill_hours: {Hours}", StringComparison.Ordinal));
        instance.Environment["TT_NOW"] = Now.ToString("O", CultureInfo.InvariantCulture);
        return instance;
    }

    private static async Task<IReadOnlyList<TokenUsageRow>> RowsAsync(CliInstance instance)
    {
        await using var connection = new NpgsqlConnection(instance.ConnectionString);
        await connection.OpenAsync();
        return await new UsageReader(new SchemaName("telemetry")).ReadAsync(connection, "openai", CancellationToken.None);
    }

    private static async Task<DateTime?> WatermarkAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<DateTime?>("SELECT last_processed_end FROM telemetry.rollup_watermark WHERE source_system = 'openai'");
    }

    [Fact]
    public async Task A_collector_killed_mid_range_leaves_no_watermark_ahead_of_its_data_loses_no_billed_day_and_a_rerun_matches_an_uninterrupted_run()
    {
        using var server = new FixtureHttpServer(Generate);
        using var reference = await InstanceAsync(server, costs: true);
        (await reference.RunAsync("collect")).ExitCode.ShouldBe(0);
        var expected = await RowsAsync(reference);
        expected.Count.ShouldBe(2 * Hours);
        var expectedBilled = await BilledAsync(reference.ConnectionString, DateTime.MaxValue);
        // 500 hours back from 2025-11-20 start on 2025-10-30 04:00: the days 2025-10-30 … 2025-11-19
        expectedBilled.Count.ShouldBe(21);

        using var crashed = await InstanceAsync(server, costs: true);
        var atKill = await KillMidRangeAsync(crashed);
        var start = Now.AddHours(-Hours).UtcDateTime;
        var rows = await RowsAsync(crashed);
        var covered = (int)(atKill - start).TotalHours;
        rows.Count(r => r.WindowStart.UtcDateTime < atKill).ShouldBe(2 * covered); // every window behind the mark is whole
        rows.Count(r => r.WindowStart.UtcDateTime >= atKill).ShouldBe(0);           // and nothing is ahead of it
        // Every billed day that starts behind the watermark committed with its windows (the first window took 2025-10-30).
        (await BilledAsync(crashed.ConnectionString, atKill)).ShouldBe(expectedBilled.Where(b => b.Day < atKill).ToList());

        // The rerun resumes at the watermark (lookback_days 0: nothing older is asked again): nothing is missing.
        (await crashed.RunAsync("collect")).ExitCode.ShouldBe(0);
        (await RowsAsync(crashed)).ShouldBe(expected);
        (await WatermarkAsync(crashed.ConnectionString)).ShouldBe(Now.UtcDateTime);
        (await BilledAsync(crashed.ConnectionString, DateTime.MaxValue)).ShouldBe(expectedBilled);
    }

    private static async Task<DateTime> KillMidRangeAsync(CliInstance instance)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = instance.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll"));
        info.ArgumentList.Add("collect");
        foreach (var (k, v) in instance.Environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        DateTime? mark = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        // Past the first day, so that the billed days checked behind the mark are more than the first window's.
        while ((mark is null || mark < Now.AddHours(-Hours + 30).UtcDateTime) && !process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
            mark = await WatermarkAsync(instance.ConnectionString);
        }
        process.Kill(); // SIGKILL: no cleanup, no rollback but the server's own
        await process.WaitForExitAsync();
        var atKill = await WatermarkAsync(instance.ConnectionString);
        atKill.ShouldNotBeNull();
        atKill.Value.ShouldBeLessThan(Now.UtcDateTime, "the kill came after the whole range was written; the test proved nothing");
        return atKill.Value;
    }

    private static async Task<List<(DateTime Day, decimal Amount)>> BilledAsync(string connectionString, DateTime before)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return (await connection.QueryAsync<(DateTime, decimal)>(
            "SELECT bucket_start, amount_usd FROM telemetry.billed_cost WHERE bucket_start < @before ORDER BY bucket_start", new { before })).ToList();
    }

    [Fact]
    public async Task A_second_collector_skips_a_source_another_one_is_working_on()
    {
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Sources = new SourcesConfig { Subscriptions = new SubscriptionsSourceConfig { Enabled = true } } };
        await using var holder = await harness.OpenAsync();
        await holder.ExecuteAsync("INSERT INTO telemetry.collector_lock (name) VALUES ('source:subscriptions')");
        await using var holding = await holder.BeginTransactionAsync();
        await holder.ExecuteAsync("SELECT name FROM telemetry.collector_lock WHERE name = 'source:subscriptions' FOR UPDATE", transaction: holding);

        var outcome = (await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)])).ShouldHaveSingleItem();

        outcome.ShouldBe(new SourceOutcome("subscriptions", SourceStatus.Skipped, "skipped subscriptions: another collector is working on it right now"));
        (await harness.WatchdogAsync()).Select(r => r.SourceSystem).ShouldBe(["__heartbeat__"]); // the lock holder reports the source
    }
}
