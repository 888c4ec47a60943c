using System.Globalization;
using System.Text.Json;
using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;
using TokenTelemetry.UseCases;

namespace TokenTelemetry.Commands;

public sealed class RepriceCommand(ILogger<RepriceCommand> log)
{
    [Command("reprice", Description = "Recompute stored costs from their token columns with the current price table, overrides and discounts; prints old → new per provider")]
    public async Task<int> Reprice(GlobalOptions global,
        [Option(Description = "Rows whose window starts at or after this time (ISO 8601; default: the earliest)")] string? from = null,
        [Option(Description = "Rows whose window starts before this time (default: all)")] string? to = null,
        [Option(Description = "Only rows of this source_system (repeatable)")] string[]? source = null,
        [Option("dry-run", Description = "Compute and print, write nothing")] bool dryRun = false,
        [Option("include-reported", Description = "Also replace provider-reported costs by computed ones (the reported amount is kept in raw_usage.reported_cost_usd)")] bool includeReported = false,
        [Option(Description = "Print JSON")] bool json = false)
    {
        var request = new RepriceRequest { Sources = source ?? [], DryRun = dryRun, IncludeReported = includeReported };
        if (from is not null) request = request with { From = IsoTime.Parse(from, "--from") };
        if (to is not null) request = request with { To = IsoTime.Parse(to, "--to") };
        if (request.From >= request.To) throw new TelemetryException($"--from {request.From:yyyy-MM-dd'T'HH:mm:ss'Z'} is not before --to {request.To:yyyy-MM-dd'T'HH:mm:ss'Z'}", "the rows re-priced are those whose window starts in [from, to)");
        foreach (var s in request.Sources)
            if (UsageLimits.LabelProblem("--source", s) is { } problem) throw new TelemetryException(problem);

        var instance = InstanceLoading.Load(global, requireSources: false);
        var (result, snapshot) = await new RepriceStored(instance, Terminal.Feedback(log)).RunAsync(request, ProcessLifetime.Token);
        Terminal.Out(json ? Json(request, result, snapshot) : Table(request, result));
        return ExitCodes.Ok;
    }

    private static string Json(RepriceRequest request, RepriceResult result, string snapshot) => JsonSerializer.Serialize(new
    {
        dry_run = request.DryRun, snapshot, days = result.Days, changed = result.Changed,
        providers = result.Providers.Select(p => new
        {
            provider = p.Key, rows = p.Value.Rows, changed = p.Value.Changed, old_cost_usd = p.Value.OldUsd, new_cost_usd = p.Value.NewUsd,
            now_priced = p.Value.NowPriced, now_unpriced = p.Value.NowUnpriced,
        }),
        left_alone = result.LeftAlone.Select(l => new { reason = l.Key, rows = l.Value.Rows, models = l.Value.Models }),
        provider_reported_not_repriced = result.ReportedNotRepriced, rewritten_meanwhile = result.RewrittenMeanwhile,
    });

    internal static string Table(RepriceRequest request, RepriceResult result)
    {
        static string Usd(decimal v) => v.ToString("#,0.#########", CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            $"reprice over {result.Days} day(s) of windows{(request.Sources.Length > 0 ? $" of {string.Join(", ", request.Sources)}" : "")}: " +
            (request.DryRun ? $"{result.Changed} row(s) would change — dry run, nothing written" : $"{result.Changed} row(s) changed"),
            $"{"provider",-20} {"rows",9} {"changed",9} {"old USD",20}   {"new USD",20}",
        };
        foreach (var (provider, t) in result.Providers)
            lines.Add($"{ReportTable.Printable(provider),-20} {t.Rows,9:N0} {t.Changed,9:N0} {Usd(t.OldUsd),20} → {Usd(t.NewUsd),20}" +
                (t.NowPriced > 0 ? $"  ({t.NowPriced:N0} newly priced)" : "") + (t.NowUnpriced > 0 ? $"  ({t.NowUnpriced:N0} lost their price: cost now NULL)" : ""));
        if (result.Providers.Count > 1)
            lines.Add($"{"total",-20} {result.Providers.Values.Sum(t => t.Rows),9:N0} {result.Changed,9:N0} {Usd(result.Providers.Values.Sum(t => t.OldUsd)),20} → {Usd(result.Providers.Values.Sum(t => t.NewUsd)),20}");
        foreach (var (reason, (rows, models)) in result.LeftAlone)
            lines.Add($"left as they were: {rows:N0} {reason} (models: {string.Join(", ", models.Select(ReportTable.Printable))}{(models.Count == 5 ? ", …" : "")})");
        if (result.RewrittenMeanwhile > 0)
            lines.Add($"{result.RewrittenMeanwhile:N0} row(s) were rewritten by a collector while reprice ran: left as it priced them (run reprice again if its config is older)");
        if (result.ReportedNotRepriced > 0)
            lines.Add($"provider-reported: {result.ReportedNotRepriced:N0} row(s) keep the provider's cost (pass --include-reported to compute them)");
        return string.Join("\n", lines);
    }
}
