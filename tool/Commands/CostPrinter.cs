using System.Globalization;
using System.Text;
using System.Text.Json;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Commands;

/// <summary>A cost bucket by bucket, as `pricing cost` and `pricing explain` print it: tokens × rate = cost, the
/// discount taken off a bucket and what remains, the fallbacks used, the total before and after discounts.</summary>
public static class CostPrinter
{
    public static string Rate(decimal perToken) =>
        $"{perToken.ToString("0.#################", CultureInfo.InvariantCulture),-14} ${(perToken * 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture)} / 1M";

    public static string Usd(decimal usd) => usd.ToString("0.#########", CultureInfo.InvariantCulture);

    public static string Table(string model, string tableSource, CostBreakdown? breakdown)
    {
        if (breakdown is null) return $"no match for '{model}' in {tableSource}: cost unknown (NULL), never $0";
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{model} priced as {breakdown.MatchedKey}{(breakdown.TierAboveTokens is { } t ? $", long-context rates (input > {t:N0})" : "")} from {tableSource}");
        if (breakdown.Rules is { } rules) sb.Append("\n  with ").Append(rules);
        foreach (var l in breakdown.Lines)
            sb.Append(CultureInfo.InvariantCulture, $"\n  {l.Bucket,-15} {l.Tokens,12:N0} × {l.Rate.ToString("0.#################", CultureInfo.InvariantCulture),-14} = {Usd(l.Cost),14}")
                .Append(l.DiscountPercent == 0 ? "" : $"   − {l.DiscountPercent.ToString("0.####", CultureInfo.InvariantCulture)}% = {Usd(l.Net)}")
                .Append(l.Fallback is null ? "" : $"   ({l.Fallback})");
        if (breakdown.Total is not { } total) return sb.Append("\n  unpriced: ").Append(breakdown.Unpriced).Append(" (cost NULL)").ToString();
        if (breakdown.ListTotal is { } list && list != total)
            sb.Append(CultureInfo.InvariantCulture, $"\n  {"list",-15} {"",12}   {"",-14}   {Usd(list),14} USD before discounts");
        return sb.Append(CultureInfo.InvariantCulture, $"\n  {"total",-15} {"",12}   {"",-14}   {Usd(total),14} USD").ToString();
    }

    public static string Json(string model, string tableSource, CostBreakdown? breakdown, IDictionary<string, object?>? extra = null)
    {
        var document = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["table"] = tableSource,
            ["matched_key"] = breakdown?.MatchedKey,
            ["tier_above_tokens"] = breakdown?.TierAboveTokens,
            ["lines"] = breakdown?.Lines.Select(l => new Dictionary<string, object?>
            {
                ["bucket"] = l.Bucket, ["tokens"] = l.Tokens, ["rate"] = l.Rate, ["cost"] = l.Cost, ["fallback"] = l.Fallback,
                ["discount_percent"] = l.DiscountPercent, ["net_cost"] = l.Net,
            }).ToList() ?? [],
            ["rules"] = breakdown?.Rules,
            ["list_cost_usd"] = breakdown?.ListTotal,
            ["cost_usd"] = breakdown?.Total,
            ["cost_basis"] = breakdown?.Total is null ? null : "computed",
            ["unpriced"] = breakdown is null ? "no match in the price table" : breakdown.Unpriced,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, object?>()) document[k] = v;
        return JsonSerializer.Serialize(document);
    }
}
