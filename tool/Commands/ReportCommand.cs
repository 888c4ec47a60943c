using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cocona;
using CsvHelper;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.UseCases;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

public sealed partial class ReportCommand(ILogger<ReportCommand> log)
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
        var (start, end) = Period(since, from, to, DateTimeOffset.UtcNow);

        var instance = InstanceLoading.Load(global, requireSources: false);
        var (rows, total) = await new ReportSpend(instance, Terminal.Feedback(log)).RunAsync(by, start, end, ct);
        Terminal.Out(format switch
        {
            "json" => JsonSerializer.Serialize(new { from = start, to = end, by, rows = rows.Select(Json), total = Json(total) }),
            "csv" => Csv(by, rows.Append(total)),
            _ => ReportTable.Format(by, start, end, rows, total),
        });
        return ExitCodes.Ok;
    }

    private static object Json(ReportRow r) => new
    {
        key = r.Key, input_tokens = r.InputTokens, cached_read_tokens = r.CachedReadTokens, cached_write_tokens = r.CachedWriteTokens,
        output_tokens = r.OutputTokens, reasoning_tokens = r.ReasoningTokens, request_count = r.RequestCount, cost_usd = r.CostUsd,
        cache_ratio = r.CacheRatio, estimated = r.Estimated, unpriced_rows = r.UnpricedRows,
    };

    /// <summary>CSV for people's spreadsheets too: a field starting with = + - @ (or a tab or CR) gets a leading ' so that
    /// a label from the data (a project named =HYPERLINK(…), say) is shown, never run as a formula.</summary>
    private static string Csv(string by, IEnumerable<ReportRow> rows)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { NewLine = "\n", Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteRecord([by, "input_tokens", "cached_read_tokens", "cached_write_tokens", "output_tokens", "reasoning_tokens",
                "request_count", "cost_usd", "cache_ratio", "estimated", "unpriced_rows"]);
            foreach (var r in rows)
                csv.WriteRecord([r.Key, .. ((long?[])[r.InputTokens, r.CachedReadTokens, r.CachedWriteTokens, r.OutputTokens, r.ReasoningTokens, r.RequestCount])
                        .Select(n => n?.ToString(CultureInfo.InvariantCulture) ?? ""),
                    r.CostUsd?.ToString(CultureInfo.InvariantCulture) ?? "", r.CacheRatio?.ToString(CultureInfo.InvariantCulture) ?? "",
                    r.Estimated ? "true" : "false", r.UnpricedRows.ToString(CultureInfo.InvariantCulture)]);
        }
        return text.ToString().TrimEnd('\n');
    }

    /// <summary>The period: --from/--to as given, or --since back from now; one-line errors for what makes no sense.</summary>
    private static (DateTimeOffset Start, DateTimeOffset End) Period(string? since, string? from, string? to, DateTimeOffset now)
    {
        if (from is not null)
        {
            var (start, end) = (IsoTime.Parse(from, "--from"), IsoTime.Parse(to!, "--to"));
            if (start >= end)
                throw new TelemetryException($"--from {start:yyyy-MM-dd'T'HH:mm:ss'Z'} is not before --to {end:yyyy-MM-dd'T'HH:mm:ss'Z'}",
                    $"the period is [from, to): {(start == end ? "an empty one holds nothing" : "swap them")}");
            return (start, end);
        }
        since ??= "7d";
        if (!Durations.TryParse(since, out var span))
            throw DigitsAndUnit().IsMatch(since.Trim()) ? TooFarBack(since) : new TelemetryException($"--since '{since}' is not a duration", "e.g. 24h, 7d, 30d");
        if (span <= TimeSpan.Zero) throw new TelemetryException($"--since '{since}' is an empty period", "e.g. 24h, 7d, 30d");
        if (span > now - DateTimeOffset.UnixEpoch) throw TooFarBack(since);
        return (now - span, now);
    }

    private static TelemetryException TooFarBack(string since) =>
        new($"--since '{since}' reaches back before 1970", "give a shorter period, e.g. 30d, or --from/--to");

    [GeneratedRegex(@"^\d+[smhd]$")]
    private static partial Regex DigitsAndUnit();
}
