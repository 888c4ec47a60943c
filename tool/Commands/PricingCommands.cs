using System.Globalization;
using System.Text.Json;
using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Commands;

/// <summary>`pricing show|cost|update`. They run with the instance's pricing section when an instance is chosen
/// (or is the only one), else with the defaults: the bundled table, no overrides.</summary>
public sealed class PricingCommands
{
    [Command("show", Description = "Print the price-table entry a model resolves to, with every rate")]
    public async Task<int> Show(GlobalOptions global,
        [Argument(Description = "Model name as a source reports it")] string model,
        [Option(Description = "Provider, to prefer its entry (openai, anthropic, google, bedrock, azure, …)")] string? provider = null)
    {
        var (table, _) = await LoadAsync(global, ProcessLifetime.Token);
        if (new ModelResolver(table).Resolve(model, provider) is not { } price)
        {
            Terminal.Out($"no match for '{model}' in {table.Source}");
            return 1;
        }
        Terminal.Out($"model:   {model}");
        Terminal.Out($"matched: {price.Key} (litellm_provider {price.Provider ?? "-"}, mode {price.Mode ?? "-"}{(price.Overridden ? ", with config overrides" : "")})");
        Terminal.Out($"table:   {table.Source}");
        Terminal.Out("rates (USD per token, and per 1M tokens):");
        PrintRates(price.Base, "  ");
        if (price.LegacyCacheHit is { } hit) Terminal.Out($"  input_cost_per_token_cache_hit {Rate(hit)}");
        if (price.BatchInput is { } batchIn) Terminal.Out($"  {"batch_input",-16} {Rate(batchIn)}");
        if (price.BatchOutput is { } batchOut) Terminal.Out($"  {"batch_output",-16} {Rate(batchOut)}");
        foreach (var tier in price.Tiers)
        {
            Terminal.Out($"when input exceeds {tier.AboveTokens.ToString("N0", CultureInfo.InvariantCulture)} tokens (the whole request; absent rates stay at base):");
            PrintRates(tier.Rates, "  ");
        }
        return 0;
    }

    [Command("cost", Description = "Price one canonical usage and print the cost per bucket and the total")]
    public async Task<int> Cost(GlobalOptions global,
        [Option(Description = "Model name")] string model,
        [Option(Description = "ALL input tokens, cache included (DESIGN §2)")] long input = 0,
        [Option("cached-read", Description = "Input tokens read from the cache")] long cachedRead = 0,
        [Option("cache-write", Description = "Input tokens written to the cache (all TTLs)")] long cacheWrite = 0,
        [Option("cache-write-1h", Description = "Part of the cache writes with a 1-hour TTL")] long cacheWrite1h = 0,
        [Option(Description = "ALL output tokens, reasoning included")] long output = 0,
        [Option(Description = "Part of the output spent on reasoning")] long reasoning = 0,
        [Option(Description = "Provider, to prefer its entry")] string? provider = null,
        [Option(Description = "Print JSON")] bool json = false)
    {
        var usage = new UsageTelemetry
        {
            InputTokens = input, CachedReadTokens = cachedRead, CachedWriteTokens = cacheWrite, CachedWrite1hTokens = cacheWrite1h,
            OutputTokens = output, ReasoningTokens = reasoning, RequestCount = 1, Model = model, Provider = provider,
        };
        if (usage.Inconsistency() is { } problem) throw new TelemetryException($"the usage is inconsistent: {problem}", "--input counts ALL input tokens, cache included; --output includes reasoning");
        var (table, _) = await LoadAsync(global, ProcessLifetime.Token);
        var price = new ModelResolver(table).Resolve(model, provider);
        var breakdown = price is null ? null : CostCalculator.Price(price, usage, provider);
        if (json) PrintJson(model, table, breakdown);
        else PrintTable(model, table, breakdown);
        return breakdown?.Total is null ? 1 : 0;
    }

    [Command("update", Description = "Download (or copy) the LiteLLM price table into the cache used by pricing.source: url")]
    public async Task<int> Update(GlobalOptions global,
        [Option(Description = "URL to fetch (default: pricing.url, else LiteLLM's main branch)")] string? url = null,
        [Option(Description = "A local model_prices_and_context_window.json to cache instead")] string? file = null)
    {
        if (url is not null && file is not null) throw new TelemetryException("--url and --file cannot be combined", "pick one");
        var (_, loader) = await LoadAsync(global, ProcessLifetime.Token, loadTable: false);
        var table = await loader.UpdateCacheAsync(url, file, ProcessLifetime.Token);
        Terminal.Out($"cached {table.Count} priced models from {table.Source} in {loader.CacheDirectory}");
        if (!_usesUrl) Terminal.Warning("pricing.source is not url, so collection keeps using its configured table; set pricing.source: url to use this cache");
        return 0;
    }

    private bool _usesUrl;

    private async Task<(PriceTable Table, PriceTableLoader Loader)> LoadAsync(GlobalOptions global, CancellationToken ct, bool loadTable = true)
    {
        var config = OptionalInstance(global)?.Config ?? new InstanceConfig();
        _usesUrl = config.Pricing.Source == "url";
        var loader = new PriceTableLoader(config.Pricing, TimeSpan.FromSeconds(config.Scheduler.HttpTimeoutSeconds), Terminal.Warning);
        return (loadTable ? await loader.LoadAsync(ct) : null!, loader);
    }

    /// <summary>The chosen instance; with none chosen and none (or several) under ./instances, the defaults.</summary>
    private static Instance? OptionalInstance(GlobalOptions global)
    {
        if (global.Instance is not null || Environment.GetEnvironmentVariable("TT_INSTANCE") is { Length: > 0 })
            return InstanceLoading.Load(global, requireSources: false);
        var instances = Path.Combine(Directory.GetCurrentDirectory(), "instances");
        var candidates = Directory.Exists(instances)
            ? Directory.GetDirectories(instances).Where(d => Path.GetFileName(d) != InstanceLocator.ExampleName && File.Exists(Path.Combine(d, "config.yaml"))).ToList()
            : [];
        return candidates.Count == 1 ? InstanceLoading.Load(global, requireSources: false) : null;
    }

    private static void PrintRates(Rates rates, string indent)
    {
        void Line(string name, decimal? rate) { if (rate is { } r) Terminal.Out($"{indent}{name,-16} {Rate(r)}"); }
        Line("input", rates.Input);
        Line("output", rates.Output);
        Line("cache_read", rates.CacheRead);
        Line("cache_write_5m", rates.CacheWrite);
        Line("cache_write_1h", rates.CacheWrite1h);
        Line("reasoning", rates.Reasoning);
    }

    private static string Rate(decimal perToken) =>
        $"{perToken.ToString("0.#################", CultureInfo.InvariantCulture),-14} ${(perToken * 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture)} / 1M";

    private static void PrintTable(string model, PriceTable table, CostBreakdown? breakdown)
    {
        if (breakdown is null)
        {
            Terminal.Out($"no match for '{model}' in {table.Source}: cost unknown (NULL), never $0");
            return;
        }
        Terminal.Out($"{model} priced as {breakdown.MatchedKey}{(breakdown.TierAboveTokens is { } t ? $", long-context rates (input > {t:N0})" : "")} from {table.Source}");
        foreach (var l in breakdown.Lines)
            Terminal.Out($"  {l.Bucket,-15} {l.Tokens,12:N0} × {l.Rate.ToString("0.#################", CultureInfo.InvariantCulture),-14} = {l.Cost.ToString("0.#########", CultureInfo.InvariantCulture),14}{(l.Fallback is null ? "" : $"   ({l.Fallback})")}");
        Terminal.Out(breakdown.Total is { } total
            ? $"  {"total",-15} {"",12}   {"",-14}   {total.ToString("0.#########", CultureInfo.InvariantCulture),14} USD"
            : $"  unpriced: {breakdown.Unpriced} (cost NULL)");
    }

    private static void PrintJson(string model, PriceTable table, CostBreakdown? breakdown)
    {
        var document = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["table"] = table.Source,
            ["matched_key"] = breakdown?.MatchedKey,
            ["tier_above_tokens"] = breakdown?.TierAboveTokens,
            ["lines"] = breakdown?.Lines.Select(l => new Dictionary<string, object?>
            {
                ["bucket"] = l.Bucket, ["tokens"] = l.Tokens, ["rate"] = l.Rate, ["cost"] = l.Cost, ["fallback"] = l.Fallback,
            }).ToList() ?? [],
            ["cost_usd"] = breakdown?.Total,
            ["cost_basis"] = breakdown?.Total is null ? null : "computed",
            ["unpriced"] = breakdown is null ? "no match in the price table" : breakdown.Unpriced,
        };
        Terminal.Out(JsonSerializer.Serialize(document));
    }
}
