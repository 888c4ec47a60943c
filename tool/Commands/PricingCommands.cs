using System.Globalization;
using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Pricing;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Commands;

/// <summary>`pricing show|cost|update`. They run with the instance's pricing section when an instance is chosen
/// (or is the only one), else with the defaults: the bundled table, no overrides. `pricing explain` is
/// <see cref="PricingExplainCommand"/>.</summary>
public sealed class PricingCommands
{
    [Command("show", Description = "Print the price-table entry a model resolves to, with every rate")]
    public async Task<int> Show(GlobalOptions global,
        [Argument(Description = "Model name as a source reports it")] string model,
        [Option(Description = "Provider, to prefer its entry (openai, anthropic, google, bedrock, azure, …)")] string? provider = null,
        [Option(Description = "The rates in force at this time (ISO 8601; default now): dated pricing.overrides")] string? at = null)
    {
        var when = At(at) ?? DateTimeOffset.UtcNow;
        var (table, _) = await LoadAsync(global, ProcessLifetime.Token, at: when);
        var lookup = _rules!.At(when).Lookup(model, provider);
        if (lookup.Price is not { } price)
        {
            Terminal.Out($"no match for '{model}' in {table.Source}");
            return ExitCodes.Failed;
        }
        Terminal.Out($"model:   {model}");
        Terminal.Out($"matched: {price.Key} (litellm_provider {price.Provider ?? "-"}, mode {price.Mode ?? "-"}{(price.Overridden ? ", with config overrides" : "")})");
        Terminal.Out($"table:   {table.Source}");
        if (lookup.Rules is { } rules) Terminal.Out($"rules:   {rules} (in force {(at is null ? "now" : $"at {when:yyyy-MM-dd'T'HH:mm:ss'Z'}")}; rates below are before discounts)");
        Terminal.Out("rates (USD per token, and per 1M tokens):");
        PrintRates(price.Base, "  ");
        if (price.LegacyCacheHit is { } hit) Terminal.Out($"  input_cost_per_token_cache_hit {CostPrinter.Rate(hit)}");
        if (price.BatchInput is { } batchIn) Terminal.Out($"  {"batch_input",-16} {CostPrinter.Rate(batchIn)}");
        if (price.BatchOutput is { } batchOut) Terminal.Out($"  {"batch_output",-16} {CostPrinter.Rate(batchOut)}");
        foreach (var tier in price.Tiers)
        {
            Terminal.Out($"when input exceeds {tier.AboveTokens.ToString("N0", CultureInfo.InvariantCulture)} tokens (the whole request; absent rates stay at base):");
            PrintRates(tier.Rates, "  ");
        }
        return ExitCodes.Ok;
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
        [Option(Description = "Price with the overrides and discounts in force at this time (ISO 8601; default now)")] string? at = null,
        [Option(Description = "Print JSON")] bool json = false)
    {
        var usage = new UsageTelemetry
        {
            InputTokens = input, CachedReadTokens = cachedRead, CachedWriteTokens = cacheWrite, CachedWrite1hTokens = cacheWrite1h,
            OutputTokens = output, ReasoningTokens = reasoning, RequestCount = 1, Model = model, Provider = provider,
        };
        if (usage.Inconsistency() is { } problem) throw new TelemetryException($"the usage is inconsistent: {problem}", "--input counts ALL input tokens, cache included; --output includes reasoning");
        var when = At(at) ?? DateTimeOffset.UtcNow;
        var (table, _) = await LoadAsync(global, ProcessLifetime.Token, at: when);
        var lookup = _rules!.At(when).Lookup(model, provider);
        var price = lookup.Price;
        var breakdown = price is null ? null : CostCalculator.Price(price, usage, provider, lookup.Discounts) with { Rules = lookup.Rules };
        Terminal.Out(json ? CostPrinter.Json(model, table.Source, breakdown) : CostPrinter.Table(model, table.Source, breakdown));
        return breakdown?.Total is null ? ExitCodes.Failed : ExitCodes.Ok;
    }

    [Command("update", Description = "Download (or copy) the LiteLLM price table into the cache used by pricing.source: url")]
    public async Task<int> Update(GlobalOptions global,
        [Option(Description = "URL to fetch (default: pricing.url, else LiteLLM's main branch)")] string? url = null,
        [Option(Description = "A local model_prices_and_context_window.json to cache instead")] string? file = null)
    {
        if (url is not null && file is not null) throw new TelemetryException("--url and --file cannot be combined", "pick one");
        var (_, loader) = await LoadAsync(global, ProcessLifetime.Token, loadTable: false);
        var current = loader.CurrentTable();
        var table = await loader.UpdateCacheAsync(url, file, ProcessLifetime.Token);
        Terminal.Out($"cached {table.Count} priced models from {table.Source} in {loader.CacheDirectory}");
        if (_instance is not null) await PriceUpdateReport.PrintAsync(_instance, current, table, _usesUrl, ProcessLifetime.Token);
        if (!_usesUrl) Terminal.Warning("pricing.source is not url, so collection keeps using its configured table; set pricing.source: url to use this cache");
        return ExitCodes.Ok;
    }

    private bool _usesUrl;
    private Instance? _instance;

    private async Task<(PriceTable Table, PriceTableLoader Loader)> LoadAsync(GlobalOptions global, CancellationToken ct, bool loadTable = true, DateTimeOffset? at = null)
    {
        _instance = OptionalInstance(global);
        var config = _instance?.Config ?? new InstanceConfig();
        _usesUrl = config.Pricing.Source == "url";
        var loader = new PriceTableLoader(config.Pricing, TimeSpan.FromSeconds(config.Scheduler.HttpTimeoutSeconds), Terminal.Warning);
        if (!loadTable) return (null!, loader);
        _rules = await loader.LoadRulesAsync(ct);
        return (_rules.At(at ?? DateTimeOffset.UtcNow).Table, loader);
    }

    private PricingRules? _rules;

    private static DateTimeOffset? At(string? at) => at is null ? null : IsoTime.Parse(at, "--at");

    /// <summary>The chosen instance; with none chosen and none (or several) under ./instances, the defaults.</summary>
    private static Instance? OptionalInstance(GlobalOptions global)
    {
        if (global.Instance is not null || Invocation.Current.Variable("TT_INSTANCE") is { Length: > 0 })
            return InstanceLoading.Load(global, requireSources: false);
        var instances = Path.Combine(Invocation.Current.WorkingDirectory, "instances");
        var candidates = Directory.Exists(instances)
            ? Directory.GetDirectories(instances).Where(d => Path.GetFileName(d) != InstanceLocator.ExampleName && File.Exists(Path.Combine(d, "config.yaml"))).ToList()
            : [];
        return candidates.Count == 1 ? InstanceLoading.Load(global, requireSources: false) : null;
    }

    private static void PrintRates(Rates rates, string indent)
    {
        void Line(string name, decimal? rate) { if (rate is { } r) Terminal.Out($"{indent}{name,-16} {CostPrinter.Rate(r)}"); }
        Line("input", rates.Input);
        Line("output", rates.Output);
        Line("cache_read", rates.CacheRead);
        Line("cache_write_5m", rates.CacheWrite);
        Line("cache_write_1h", rates.CacheWrite1h);
        Line("reasoning", rates.Reasoning);
    }
}
