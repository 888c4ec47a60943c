using System.Text.Json;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Pricing;

/// <summary>
/// Loads the price table the config asks for. bundled: the snapshot inside the tool (works with no network).
/// file: a local LiteLLM-format file. url: a cached copy younger than cache_hours, else a fresh download (with the
/// HTTP deadline) written to the cache, else the stale cache, else the bundled snapshot — saying which is in use.
/// Config overrides and discounts are applied on top in every case, each at the dates it is in force.
/// </summary>
public sealed class PriceTableLoader(PricingConfig config, TimeSpan httpDeadline, Action<string>? warn = null, string? cacheDirectory = null, HttpMessageHandler? handler = null)
{
    public const string DefaultUrl = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";
    public const string BundledDescription = "the bundled LiteLLM snapshot of 2026-08-01";
    private const string CacheFile = "litellm_model_prices.json";

    public string CacheDirectory { get; } = cacheDirectory ?? DefaultCacheDirectory();
    private string CachePath => Path.Combine(CacheDirectory, CacheFile);

    public static string DefaultCacheDirectory()
    {
        var xdg = Invocation.Current.Variable("XDG_CACHE_HOME");
        var home = Invocation.Current.Variable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(root, "token-telemetry");
    }

    public static PriceTable Bundled() =>
        PriceTable.Parse(EmbeddedAssets.ReadBytes("pricing/litellm_model_prices.json"), BundledDescription);

    /// <summary>The table with the config's overrides that are in force now merged over it.</summary>
    public async Task<PriceTable> LoadAsync(CancellationToken ct) => (await LoadRulesAsync(ct)).At(DateTimeOffset.UtcNow).Table;

    /// <summary>The table with every override and discount of the config, dated (what collection prices with).</summary>
    public async Task<PricingRules> LoadRulesAsync(CancellationToken ct) => PricingRules.FromConfig(await LoadTableAsync(ct), config);

    /// <summary>The table alone, from where the config says.</summary>
    public async Task<PriceTable> LoadTableAsync(CancellationToken ct) => config.Source switch
    {
        "file" => FromFile(config.File!),
        "url" => await FromUrlAsync(config.Url ?? DefaultUrl, ct),
        _ => Bundled(),
    };

    /// <summary>The table in use now, without asking the network: for url the cached copy whatever its age (else the
    /// bundled snapshot). `pricing update` compares it with what it downloads.</summary>
    public PriceTable CurrentTable() => config.Source switch
    {
        "file" => FromFile(config.File!),
        "url" when File.Exists(CachePath) => PriceTable.Parse(File.ReadAllBytes(CachePath), $"the cached copy of {Shown(config.Url ?? DefaultUrl)}"),
        _ => Bundled(),
    };

    /// <summary>`pricing update`: downloads (or copies) a table into the cache now, whatever its age.</summary>
    public async Task<PriceTable> UpdateCacheAsync(string? url, string? file, CancellationToken ct)
    {
        byte[] bytes;
        string origin;
        if (file is not null)
        {
            if (!File.Exists(Invocation.Current.FullPath(file))) throw new TelemetryException($"{file} does not exist", "pass a LiteLLM model_prices_and_context_window.json");
            bytes = await File.ReadAllBytesAsync(Invocation.Current.FullPath(file), ct);
            origin = file;
        }
        else
        {
            origin = url ?? config.Url ?? DefaultUrl;
            bytes = await DownloadAsync(origin, ct);
        }
        var table = PriceTable.Parse(bytes, file is null ? Shown(origin) : origin); // validate before replacing a good cache
        WriteCache(bytes);
        return table;
    }

    private static PriceTable FromFile(string path)
    {
        if (!File.Exists(Invocation.Current.FullPath(path))) throw new TelemetryException($"pricing.file {path} does not exist", "fix pricing.file, or set pricing.source: bundled");
        return PriceTable.Parse(File.ReadAllBytes(Invocation.Current.FullPath(path)), $"the file {path}");
    }

    private async Task<PriceTable> FromUrlAsync(string url, CancellationToken ct)
    {
        var cached = File.Exists(CachePath) ? new FileInfo(CachePath) : null;
        var age = cached is null ? (TimeSpan?)null : DateTime.UtcNow - cached.LastWriteTimeUtc;
        if (cached is not null && age < TimeSpan.FromHours(config.CacheHours))
            return PriceTable.Parse(File.ReadAllBytes(CachePath), $"the cached copy of {Shown(url)} ({Age(age.Value)} old)");
        try
        {
            var bytes = await DownloadAsync(url, ct);
            var table = PriceTable.Parse(bytes, $"{Shown(url)} (fetched now)");
            WriteCache(bytes);
            return table;
        }
        catch (Exception e) when (e is TelemetryException or HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            if (ct.IsCancellationRequested) throw;
            if (cached is not null && age is { } staleAge)
            {
                warn?.Invoke($"price table: {Shown(url)} failed ({e.Message}); using the stale cached copy ({Age(staleAge)} old)");
                return PriceTable.Parse(File.ReadAllBytes(CachePath), $"the stale cached copy of {Shown(url)} ({Age(staleAge)} old)");
            }
            warn?.Invoke($"price table: {Shown(url)} failed ({e.Message}) and nothing is cached; using {BundledDescription}");
            return Bundled();
        }
    }

    private async Task<byte[]> DownloadAsync(string url, CancellationToken ct)
    {
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(httpDeadline);
        try
        {
            using var response = await client.GetAsync(url, deadline.Token);
            if (!response.IsSuccessStatusCode)
                throw new TelemetryException($"HTTP {(int)response.StatusCode} from {Shown(url)}");
            return await response.Content.ReadAsByteArrayAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TelemetryException($"no answer from {Shown(url)} within {httpDeadline.TotalSeconds:0} s");
        }
    }

    /// <summary>A price-table URL as messages show it: never with a user and password written into it.</summary>
    private static string Shown(string url) => SecretRedactor.WithoutCredentials(url);

    private void WriteCache(byte[] bytes)
    {
        Directory.CreateDirectory(CacheDirectory);
        var temporary = CachePath + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, CachePath, overwrite: true);
    }

    private static string Age(TimeSpan age) => age.TotalHours >= 1 ? $"{age.TotalHours:0.#} h" : $"{age.TotalMinutes:0} min";
}
