using System.Text.Json;

namespace TokenTelemetry.Sources;

/// <summary>Follows a provider's cursor pages (has_more + next_page) until the last, with a hard stop so a broken
/// cursor cannot loop forever.</summary>
public static class Paging
{
    public const int MaxPages = 10_000;

    public static async Task<List<JsonElement>> AllDataAsync(SourceHttp http, Func<string?, string> urlForPage, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? page = null;
        for (var n = 0; n < MaxPages; n++)
        {
            using var document = await http.GetJsonAsync(urlForPage(page), ct);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new SourceException($"{Trim(urlForPage(page))} answered without a data array — the API changed or base_url points elsewhere");
            items.AddRange(data.EnumerateArray().Select(e => e.Clone()));
            var hasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
            page = root.TryGetProperty("next_page", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            if (!hasMore || string.IsNullOrEmpty(page)) return items;
        }
        throw new SourceException($"more than {MaxPages} pages from {Trim(urlForPage(null))}; the cursor does not advance");
    }

    private static string Trim(string url) => url.Split('?')[0];
}
