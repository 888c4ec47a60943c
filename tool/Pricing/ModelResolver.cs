using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Finds a model's price-table entry without ever pricing it as another model. Candidates are generated in
/// rounds, each round one well-defined step further from the name as reported: the exact name (with the provider's
/// LiteLLM prefix first); then a routing prefix dropped (models/, bedrock/&lt;region&gt;/, vendor/); then a Bedrock region
/// profile (us., eu., global., …) or a date/version suffix dropped at a separator (-20250929, -2024-05-13, @20250514,
/// -0613, -v1:0; Vertex's @date written as -date); then dots between digits written as dashes (claude-sonnet-4.5). In the first round with hits, an
/// entry of the known provider wins, then the longest key. Nothing strips a family word such as -mini, so
/// gpt-4o-mini can never price as gpt-4o, nor gpt-5.4-mini as gpt-5. Results are memoised per (model, provider), up to
/// <see cref="MaxMemoised"/> names: a run over a million distinct model names keeps memory bounded (the memo starts
/// over when full; real runs see a few dozen models).
/// </summary>
public sealed partial class ModelResolver(PriceTable table)
{
    public const int MaxMemoised = 65_536;
    private readonly ConcurrentDictionary<(string, string?), ModelPrice?> _memo = new();

    public int Memoised => _memo.Count;

    private static readonly Dictionary<string, string[]> ProviderPrefixes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = ["", "openai/"],
        ["anthropic"] = ["", "anthropic/"],
        ["google"] = ["gemini/", "vertex_ai/", ""],
        ["gemini"] = ["gemini/", ""],
        ["vertex_ai"] = ["vertex_ai/", ""],
        ["bedrock"] = ["", "bedrock/"],
        ["azure"] = ["azure/", ""],
        ["deepseek"] = ["deepseek/", ""],
        ["xai"] = ["xai/", ""],
        ["mistral"] = ["mistral/", ""],
        ["moonshot"] = ["moonshot/", ""],
        ["openrouter"] = ["openrouter/", ""],
    };

    private static readonly Dictionary<string, string[]> ProviderFamilies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = ["openai"],
        ["anthropic"] = ["anthropic"],
        ["google"] = ["gemini", "vertex_ai-language-models"],
        ["gemini"] = ["gemini"],
        ["vertex_ai"] = ["vertex_ai-language-models", "vertex_ai-anthropic_models"],
        ["bedrock"] = ["bedrock", "bedrock_converse"],
        ["azure"] = ["azure", "azure_ai"],
        ["deepseek"] = ["deepseek"],
        ["xai"] = ["xai"],
        ["mistral"] = ["mistral"],
        ["moonshot"] = ["moonshot"],
        ["openrouter"] = ["openrouter"],
    };

    public ModelPrice? Resolve(string model, string? provider = null)
    {
        if (_memo.TryGetValue((model, provider), out var known)) return known;
        if (_memo.Count >= MaxMemoised) _memo.Clear();
        return _memo.GetOrAdd((model, provider), key => Find(key.Item1, key.Item2));
    }

    private ModelPrice? Find(string model, string? provider)
    {
        var prefixes = provider is not null && ProviderPrefixes.TryGetValue(provider, out var p) ? p : [""];
        var family = provider is not null && ProviderFamilies.TryGetValue(provider, out var f) ? f : [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var round = new List<string> { model.Trim() };
        var hits = new List<ModelPrice>();
        // Plain loops, not LINQ: an unknown model runs every round, and a run can meet many distinct unknown names.
        foreach (var step in Steps)
        {
            foreach (var variant in round)
            {
                foreach (var prefix in prefixes) Try(prefix + variant);
                Try(variant);
            }
            if (hits.Count > 0)
                return hits.OrderByDescending(h => family.Contains(h.Provider)).ThenByDescending(h => h.Key.Length).First();
            var next = new List<string>();
            foreach (var variant in round)
                foreach (var name in step(variant))
                    if (!next.Contains(name)) next.Add(name);
            round = next;
            if (round.Count == 0) break;
        }
        return null;

        void Try(string key)
        {
            if (seen.Add(key) && table.Get(key) is { } price) hits.Add(price);
        }
    }

    /// <summary>Each step maps a name to the names one step further from it (none when it does not apply).</summary>
    private static readonly Func<string, IEnumerable<string>>[] Steps =
    [
        StripRoutingPrefix,
        StripRegionOrRevision,
        StripRegionOrRevision,
        DotsToDashes,
        _ => [],
    ];

    [GeneratedRegex(@"^(?:models/|bedrock/[a-z0-9-]+/(?:\d+-month-commitment/)?|[a-z0-9_-]+/)")]
    private static partial Regex RoutingPrefix();

    [GeneratedRegex(@"^(?:us|eu|apac|global|jp|au|us-gov|ca|sa)\.")]
    private static partial Regex RegionProfile();

    [GeneratedRegex(@"(?:-\d{8}|-\d{4}-\d{2}-\d{2}|@\d{8}|-(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|-v\d+(?::\d+)?|:\d+|\[1m\])$")]
    private static partial Regex RevisionSuffix();

    [GeneratedRegex(@"(?<=\d)\.(?=\d)")]
    private static partial Regex DotBetweenDigits();

    private static IEnumerable<string> StripRoutingPrefix(string name)
    {
        yield return name;
        var match = RoutingPrefix().Match(name);
        if (match.Success && match.Length < name.Length) yield return name[match.Length..];
        var lastSlash = name.LastIndexOf('/');
        if (lastSlash > 0 && lastSlash < name.Length - 1) yield return name[(lastSlash + 1)..];
    }

    private static IEnumerable<string> StripRegionOrRevision(string name)
    {
        yield return name;
        var region = RegionProfile().Match(name);
        if (region.Success) yield return name[region.Length..];
        var revision = RevisionSuffix().Match(name);
        if (revision.Success && revision.Index > 0) yield return name[..revision.Index];
        // Vertex writes Anthropic's dated ids with '@' (claude-sonnet-4@20250514 = claude-sonnet-4-20250514).
        var at = name.LastIndexOf('@');
        if (at > 0) yield return name[..at] + "-" + name[(at + 1)..];
    }

    private static IEnumerable<string> DotsToDashes(string name)
    {
        yield return name;
        var dashed = DotBetweenDigits().Replace(name, "-");
        if (dashed != name) yield return dashed;
    }
}
