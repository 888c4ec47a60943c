using System.Globalization;
using System.Text;
using System.Text.Json;
using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed class ReportCommand
{
    [Command("report", Description = "Spend and tokens by source, provider, model, user, project or day over a period")]
    public async Task<int> Report(GlobalOptions global,
        [Option(Description = "Period ending now: 24h, 7d, 30d (default 7d)")] string? since = null,
        [Option(Description = "Start (ISO 8601), with --to")] string? from = null,
        [Option(Description = "End, exclusive (ISO 8601)")] string? to = null,
        [Option(Description = "source, provider, model, user, project or day")] string by = "provider",
        [Option(Description = "table, json or csv")] string format = "table")
    {
        var ct = ProcessLifetime.Token;
        if (!SpendReport.Groupings.ContainsKey(by)) throw new TelemetryException($"--by '{by}' is not one of {string.Join(", ", SpendReport.Groupings.Keys)}");
        if (format is not ("table" or "json" or "csv")) throw new TelemetryException($"--format '{format}' is not table, json or csv");
        if ((from is null) != (to is null)) throw new TelemetryException("--from and --to go together");
        if (since is not null && from is not null) throw new TelemetryException("--since and --from/--to cannot be combined");
        var now = DateTimeOffset.UtcNow;
        var (start, end) = from is not null
            ? (CollectCommand.Time(from, "--from"), CollectCommand.Time(to!, "--to"))
            : Durations.TryParse(since ?? "7d", out var span) ? (now - span, now)
            : throw new TelemetryException($"--since '{since}' is not a duration", "e.g. 24h, 7d, 30d");

        var instance = InstanceLoading.Load(global, requireSources: false);
        await using var database = await TelemetryDatabase.ConnectAsync(instance, Terminal.Progress, ct);
        await using var connection = await database.OpenConnectionAsync(ct);
        var rows = await new SpendReport(database.Schema).RunAsync(connection, by, start, end, ct);
        var total = SpendReport.Total(rows);
        Terminal.Out(format switch
        {
            "json" => JsonSerializer.Serialize(new { from = start, to = end, by, rows = rows.Select(Json), total = Json(total) }),
            "csv" => Csv(by, rows.Append(total)),
            _ => Table(by, start, end, rows, total),
        });
        return 0;
    }

    private static object Json(ReportRow r) => new
    {
        key = r.Key, input_tokens = r.InputTokens, cached_read_tokens = r.CachedReadTokens, cached_write_tokens = r.CachedWriteTokens,
        output_tokens = r.OutputTokens, reasoning_tokens = r.ReasoningTokens, request_count = r.RequestCount, cost_usd = r.CostUsd,
        cache_ratio = r.CacheRatio, estimated = r.Estimated, unpriced_rows = r.UnpricedRows,
    };

    private static string Csv(string by, IEnumerable<ReportRow> rows)
    {
        var sb = new StringBuilder($"{by},input_tokens,cached_read_tokens,cached_write_tokens,output_tokens,reasoning_tokens,request_count,cost_usd,cache_ratio,estimated,unpriced_rows\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"\"{r.Key.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{r.InputTokens},{r.CachedReadTokens},{r.CachedWriteTokens},{r.OutputTokens},{r.ReasoningTokens},{r.RequestCount},{r.CostUsd},{r.CacheRatio},{(r.Estimated ? "true" : "false")},{r.UnpricedRows}\n");
        return sb.ToString().TrimEnd('\n');
    }

    internal static string Table(string by, DateTimeOffset start, DateTimeOffset end, IReadOnlyList<ReportRow> rows, ReportRow total)
    {
        static string N(long? v) => v is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "—";
        var sb = new StringBuilder($"{start:yyyy-MM-dd HH:mm} → {end:yyyy-MM-dd HH:mm} UTC, by {by}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{by,-34} {"input",14} {"cached read",14} {"output",12} {"reasoning",12} {"requests",10} {"cache %",8} {"cost USD",14}\n");
        foreach (var r in rows.Append(total))
        {
            var cost = r.CostUsd is { } c ? c.ToString("N2", CultureInfo.InvariantCulture) : "unknown";
            var name = (r.Estimated ? "*" : "") + r.Key;
            sb.Append(CultureInfo.InvariantCulture, $"{(name.Length > 34 ? name[..33] + "…" : name),-34} {N(r.InputTokens),14} {N(r.CachedReadTokens),14} {N(r.OutputTokens),12} {N(r.ReasoningTokens),12} {N(r.RequestCount),10} {(r.CacheRatio is { } q ? (q * 100).ToString("0.0", CultureInfo.InvariantCulture) : "—"),8} {cost,14}\n");
        }
        sb.Append("— = not reported by the source(s); * = includes estimates (subscriptions); cache % counts only rows that report cache reads");
        if (total.UnpricedRows > 0) sb.Append(CultureInfo.InvariantCulture, $"\n{total.UnpricedRows} row(s) have no known cost and are not in the totals");
        return sb.ToString();
    }
}
