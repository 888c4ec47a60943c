using System.Text.Json;

namespace TokenTelemetry.Http;

/// <summary>Follows a provider's cursor pages (has_more + next_page) until the last. A cursor that comes back — the
/// same page again, or a cycle — is an error at once, not a loop; a hard stop bounds a cursor that never repeats.</summary>
public static class Paging
{
    public const int MaxPages = 10_000;

    public static async Task<List<JsonElement>> AllDataAsync(SourceHttp http, Func<string?, string> urlForPage, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? page = null;
        for (var n = 1; n <= MaxPages; n++)
        {
            using var document = await http.GetJsonAsync(urlForPage(page), ct);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new SourceException($"{Trim(urlForPage(page))} answered without a data array — the API changed or base_url points elsewhere");
            items.AddRange(data.EnumerateArray().Select(e => e.Clone()));
            var hasMore = root.TryGetProperty("has_more", out var more) && more.ValueKind == JsonValueKind.True;
            page = root.TryGetProperty("next_page", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            if (!hasMore || string.IsNullOrEmpty(page)) return items;
            if (!seen.Add(page))
                throw new SourceException($"{Trim(urlForPage(null))} returned the paging cursor '{Short(page)}' a second time (after {n} pages): "
                    + "the API loops instead of advancing; this range fails and is retried next cycle");
        }
        throw new SourceException($"more than {MaxPages} pages from {Trim(urlForPage(null))}; the cursor does not end");
    }

    private static string Trim(string url) => Configuration.SecretRedactor.WithoutCredentials(url.Split('?')[0]);

    private static string Short(string cursor) => cursor.Length > 40 ? cursor[..40] + "…" : cursor;
}
