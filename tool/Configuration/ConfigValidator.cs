using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>Checks a bound config for values that parse but make no sense; returns every problem found.</summary>
public static partial class ConfigValidator
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex PrometheusLabel();

    /// <summary>A schema or role name we can quote safely and that Grafana's SQL can use as is.</summary>
    public static bool IsIdentifier(string? name) => name is not null && Identifier().IsMatch(name) && !name.StartsWith("pg_", StringComparison.Ordinal);

    public const string IdentifierRule = "use lowercase letters, digits and _, starting with a letter or _, at most 63 characters, not pg_*";

    public static List<ConfigProblem> Validate(InstanceConfig config)
    {
        var problems = new List<ConfigProblem>();
        void Check(bool ok, string path, string message)
        {
            if (!ok) problems.Add(new ConfigProblem(path, 0, message));
        }

        var pg = config.Postgres;
        Check(IsIdentifier(pg.Schema), "postgres.schema", $"'{pg.Schema}' is not a valid schema name ({IdentifierRule})");
        Check(pg.Port is null or (>= 1 and <= 65535), "postgres.port", $"{pg.Port} is not a TCP port (1–65535)");
        Check(!(pg.Embedded && !string.IsNullOrEmpty(pg.Url)), "postgres.url", "an embedded Postgres has no url; remove url or set embedded: false");
        if (!string.IsNullOrEmpty(pg.Url))
            Check(Uri.TryCreate(pg.Url, UriKind.Absolute, out var u) && u.Scheme is "postgres" or "postgresql",
                "postgres.url", "expected postgres://user@host:port/database");
        else if (!pg.Embedded)
        {
            Check(!string.IsNullOrWhiteSpace(pg.Host), "postgres.host", "required when no url is given");
            Check(!string.IsNullOrWhiteSpace(pg.Database), "postgres.database", "required when no url is given");
            Check(!string.IsNullOrWhiteSpace(pg.User), "postgres.user", "required when no url is given");
        }

        var s = config.Scheduler;
        Check(s.Interval >= TimeSpan.FromMinutes(1), "scheduler.interval", "must be at least 1m");
        Check(s.LagMinutes >= 0, "scheduler.lag_minutes", "must be 0 or more");
        Check(s.MaxBackfillHours >= 1, "scheduler.max_backfill_hours", "must be 1 or more");
        Check(s.HttpTimeoutSeconds is >= 1 and <= 600, "scheduler.http_timeout_seconds", "must be between 1 and 600");
        Check(s.LookbackDays is >= 0 and <= 31, "scheduler.lookback_days", "must be between 0 and 31");

        foreach (var (name, source) in config.Sources.All())
        {
            var at = $"sources.{name}";
            if (source.BaseUrl is { Length: > 0 } baseUrl)
                Check(IsHttpUrl(baseUrl), $"{at}.base_url", $"'{baseUrl}' is not an http(s) URL");
            if (!source.Enabled) continue;
            ValidateSource(name, source, at, Check);
        }

        var p = config.Pricing;
        Check(p.Source is "bundled" or "file" or "url", "pricing.source", $"'{p.Source}' is not one of bundled, file, url");
        Check(p.Source != "file" || !string.IsNullOrEmpty(p.File), "pricing.file", "required when pricing.source is file");
        Check(p.Source != "url" || IsHttpUrl(p.Url), "pricing.url", "an http(s) URL is required when pricing.source is url");
        Check(p.CacheHours >= 0, "pricing.cache_hours", "must be 0 or more");
        PricingValidator.Validate(p, Check);

        var g = config.Grafana;
        Check(string.IsNullOrEmpty(g.Url) || IsHttpUrl(g.Url), "grafana.url", $"'{g.Url}' is not an http(s) URL");
        Check(string.IsNullOrEmpty(g.ReaderRole) || IsIdentifier(g.ReaderRole), "grafana.reader_role", $"'{g.ReaderRole}' is not a valid role name ({IdentifierRule})");

        Check(config.Retention.HourlyDays is null or >= RetentionConfig.MinimumHourlyDays, "retention.hourly_days",
            $"must be at least {RetentionConfig.MinimumHourlyDays} (a month: detail is dropped by whole months), or empty to keep all");

        var knownNames = SourcesConfig.KnownKinds.Append("__heartbeat__").ToHashSet();
        foreach (var (name, seconds) in config.Watchdog.Thresholds)
        {
            Check(knownNames.Contains(name), $"watchdog.thresholds.{name}", $"'{name}' is not a source ({string.Join(", ", knownNames)})");
            Check(seconds > 0, $"watchdog.thresholds.{name}", "must be more than 0 seconds");
        }
        foreach (var name in config.Watchdog.Paused.Keys)
            Check(knownNames.Contains(name), $"watchdog.paused.{name}", $"'{name}' is not a source ({string.Join(", ", knownNames)})");
        return problems;
    }

    private static void ValidateSource(string name, SourceConfig source, string at, Action<bool, string, string> check)
    {
        switch (source)
        {
            case LiteLlmSourceConfig l:
                check(!string.IsNullOrEmpty(l.BaseUrl), $"{at}.base_url", "the Prometheus URL is required");
                foreach (var label in l.LabelMatchers.Keys.Append(l.UserLabel).Append(l.ProjectLabel))
                    check(PrometheusLabel().IsMatch(label), $"{at}.label_matchers", $"'{label}' is not a Prometheus label name");
                check(l.Window is "15min" or "hour", $"{at}.window", $"'{l.Window}' is not 15min or hour");
                break;
            case OpenAiSourceConfig o:
                check(!string.IsNullOrEmpty(o.AdminKey), $"{at}.admin_key", "required (an OpenAI admin key, as ${OPENAI_ADMIN_KEY})");
                check(o.BucketWidth is "1h" or "1d", $"{at}.bucket_width", $"'{o.BucketWidth}' is not 1h or 1d");
                break;
            case AnthropicSourceConfig a:
                check(!string.IsNullOrEmpty(a.AdminKey), $"{at}.admin_key", "required (an Anthropic admin key, as ${ANTHROPIC_ADMIN_KEY})");
                check(a.BucketWidth is "1h" or "1d", $"{at}.bucket_width", $"'{a.BucketWidth}' is not 1h or 1d");
                break;
            case CopilotSourceConfig c:
                check(!string.IsNullOrEmpty(c.Token), $"{at}.token", "required (a GitHub token, as ${GITHUB_TOKEN})");
                check(!string.IsNullOrEmpty(c.Organization) || !string.IsNullOrEmpty(c.Enterprise), $"{at}.organization", "name an organization or an enterprise");
                break;
            case SubscriptionsSourceConfig sub:
                foreach (var duplicate in sub.Plans.GroupBy(p => (p.Name, p.UserId, p.ProjectId)).Where(g => g.Count() > 1))
                    check(false, $"{at}.plans", $"two plans named '{duplicate.Key.Name}' for the same user and project would overlap; give them different names");
                for (var i = 0; i < sub.Plans.Count; i++)
                {
                    var plan = sub.Plans[i];
                    var p = $"{at}.plans[{i}]";
                    check(plan.Name.Length > 0, $"{p}.name", "required");
                    check(plan.Provider.Length > 0, $"{p}.provider", "required");
                    check(plan.MonthlyUsd >= 0, $"{p}.monthly_usd", "must be 0 or more");
                    // Each period's price is split over its days in cost_usd, numeric(18,9): it must fit, and sum back exactly.
                    check(decimal.Round(plan.MonthlyUsd, 9) == plan.MonthlyUsd, $"{p}.monthly_usd", "at most 9 decimal places (cost_usd keeps 9)");
                    check(plan.MonthlyUsd < 1_000_000_000m && plan.MonthlyUsd * Math.Max(plan.Seats, 1) < 1_000_000_000m, $"{p}.monthly_usd",
                        "monthly_usd × seats must be below 1,000,000,000 (the largest cost_usd)");
                    check(plan.Seats >= 1, $"{p}.seats", "must be 1 or more");
                    check(plan.BillingDay is >= 1 and <= 31, $"{p}.billing_day", "must be between 1 and 31 (29–31 fall on the month's last day in shorter months)");
                    check(plan.Start is null || plan.End is null || plan.End > plan.Start, $"{p}.end", "must be after start");
                }
                break;
            case FileSourceConfig f:
                check(!string.IsNullOrEmpty(f.Path), $"{at}.path", "required: a file or folder to read");
                check(string.IsNullOrEmpty(f.At) || f.AtTime is not null, $"{at}.at", "must be an ISO 8601 date and time, e.g. 2026-11-20T13:00:00Z");
                break;
        }
        _ = name;
    }

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
