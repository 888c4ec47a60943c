using System.Globalization;
using System.Text;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Commands;

/// <summary>The spend table `report` prints (and `demo` shows): one visible line per group, then the total.</summary>
public static class ReportTable
{
    /// <summary>A label as one visible line: control characters, line and paragraph separators and invisible format
    /// characters (bidirectional overrides, zero-width spaces, U+FEFF — which could forge, reorder or disguise table lines)
    /// are shown as escapes such as \n or \u202e.</summary>
    public static string Printable(string label)
    {
        if (!label.Any(NeedsEscape)) return label;
        var sb = new StringBuilder(label.Length + 8);
        foreach (var c in label)
            sb.Append(!NeedsEscape(c) ? c.ToString()
                : c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\u{(int)c:x4}" });
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Format; // bidi marks and overrides, zero-width spaces and joiners, the byte-order mark

    public static string Format(string by, DateTimeOffset start, DateTimeOffset end, IReadOnlyList<ReportRow> rows, ReportRow total)
    {
        static string N(long? v) => v is { } n ? n.ToString("N0", CultureInfo.InvariantCulture) : "—";
        var sb = new StringBuilder($"{start:yyyy-MM-dd HH:mm} → {end:yyyy-MM-dd HH:mm} UTC, by {by}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{by,-34} {"input",14} {"cached read",14} {"output",12} {"reasoning",12} {"requests",10} {"cache %",8} {"cost USD",14}\n");
        foreach (var r in rows.Append(total))
        {
            var cost = r.CostUsd is { } c ? c.ToString("N2", CultureInfo.InvariantCulture) : "unknown";
            var name = (r.Estimated ? "*" : "") + Printable(r.Key);
            sb.Append(CultureInfo.InvariantCulture, $"{(name.Length > 34 ? name[..33] + "…" : name),-34} {N(r.InputTokens),14} {N(r.CachedReadTokens),14} {N(r.OutputTokens),12} {N(r.ReasoningTokens),12} {N(r.RequestCount),10} {(r.CacheRatio is { } q ? (q * 100).ToString("0.0", CultureInfo.InvariantCulture) : "—"),8} {cost,14}\n");
        }
        sb.Append("— = not reported by the source(s); * = includes estimates (subscriptions); cache % counts only rows that report cache reads");
        if (total.UnpricedRows > 0) sb.Append(CultureInfo.InvariantCulture, $"\n{total.UnpricedRows} row(s) have no known cost and are not in the totals");
        return sb.ToString();
    }
}
