using System.Globalization;
using Scriban.Runtime;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Rendering;

/// <summary>
/// The demo instance: a scaffold like `init demo --embedded-postgres` with the subscriptions, manual and requests
/// sources, one plan, and the bundled sample files (recorded provider payloads across routes, a manual CSV) whose
/// times are placed relative to the moment they are first written.
/// </summary>
public static class DemoFiles
{
    public const string Name = "demo";

    /// <param name="port">postgres.port of the demo's cluster (demo --port); null = a free port.</param>
    public static IReadOnlyList<(string FileName, string Content)> Scaffold(DateTimeOffset now, int? port = null)
    {
        var files = InstanceScaffold.Render(new InitOptions { Name = Name, Embedded = true, EmbeddedPort = port, Sources = ["subscriptions", "manual", "requests"] }).ToList();
        var firstOfLastMonth = new DateTime(now.Year, now.Month, 1).AddMonths(-1);
        var config = files[0].Content.Replace("    plans: []", $"""
                plans:
                  - name: ChatGPT Team
                    provider: openai
                    monthly_usd: 30
                    seats: 5
                    billing_day: 1
                    start: {firstOfLastMonth:yyyy-MM-dd}
                  - name: Claude Max
                    provider: anthropic
                    monthly_usd: 100
                    billing_day: 15
                    start: {firstOfLastMonth:yyyy-MM-dd}
                    user_id: alice
            """, StringComparison.Ordinal);
        // The sample SSE capture and some recorded responses carry no time of their own: they count three hours ago.
        var at = now.AddHours(-3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        config = config.Replace("\n    at:\n", $"\n    at: {at}\n", StringComparison.Ordinal);
        files[0] = (files[0].FileName, config);
        return files;
    }

    /// <summary>Sample files by path relative to the instance folder.</summary>
    public static IReadOnlyList<(string Path, string Content)> Samples(DateTimeOffset now)
    {
        var model = new ScriptObject();
        model.Import("unix", new Func<int, long>(hours => now.AddHours(hours).ToUnixTimeSeconds()));
        model.Import("iso", new Func<int, string>(hours => now.AddHours(hours).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        model.Import("day", new Func<int, string>(days => now.UtcDateTime.Date.AddDays(days).ToString("yyyy-MM-dd'T'00:00:00'Z'", CultureInfo.InvariantCulture)));
        return
        [
            ("imports/requests/2026-sample-calls.jsonl", TemplateRenderer.Render("demo/requests.jsonl.sbn", model)),
            ("imports/requests/claude-stream.sse", TemplateRenderer.Render("demo/anthropic-stream.sse.sbn", model)),
            ("imports/manual/usage.csv", TemplateRenderer.Render("demo/manual.csv.sbn", model)),
        ];
    }
}
