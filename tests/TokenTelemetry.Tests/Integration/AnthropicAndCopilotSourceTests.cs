using System.Net;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The anthropic and copilot sources against a real HTTP server replaying tests/fixtures/anthropic and /copilot.</summary>
public sealed class AnthropicAndCopilotSourceTests
{
    private static readonly DateTimeOffset Day1 = new(2025, 11, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Anthropic_usage_becomes_inclusive_input_and_daily_cost_report_cents_become_reported_usd()
    {
        using var server = new FixtureHttpServer(async c =>
        {
            c.Request.Headers["x-api-key"].ShouldBe("sk-ant-admin-test");
            c.Request.Headers["anthropic-version"].ShouldBe("2023-06-01");
            var path = c.Request.Url!.AbsolutePath;
            var file = path switch
            {
                "/v1/organizations/usage_report/messages" => c.Request.QueryString["page"] == "cursor_b" ? "usage-page2.json" : "usage-page1.json",
                "/v1/organizations/cost_report" => "cost-report.json",
                _ => null,
            };
            if (file is null) { await FixtureHttpServer.Respond(c, 404, "{}"); return; }
            c.Request.QueryString.GetValues("group_by[]")!.Length.ShouldBe(2);
            await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path("anthropic", file)));
        });
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig
        {
            Sources = new SourcesConfig { Anthropic = new AnthropicSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, AdminKey = "sk-ant-admin-test", BucketWidth = "1d" } },
        };
        using var source = new AnthropicSource(config.Sources.Anthropic!, harness.Context(config));

        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Day1, Day1.AddDays(2)))).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        var rows = await harness.RowsAsync("anthropic");
        rows.Select(r => (r.WindowStart.Day, r.ModelId, r.ProjectId, r.InputTokens, r.CachedReadTokens, r.CachedWriteTokens, r.CachedWrite1hTokens, r.OutputTokens, r.RequestCount, r.CostUsd, r.CostBasis))
            .ShouldBe([
                // 5000*1e-6 + 700*5e-6: no cost-report line for haiku, so computed
                (20, "claude-haiku-4-5", (string?)null, 5000L, (long?)null, (long?)null, (long?)null, 700L, (long?)null, 0.0085m, CostBasis.Computed),
                // input = 15230 uncached + 902000 read + 1200 + 4000 written; cost = (1834.50 + 400.05) cents, web search excluded
                (20, "claude-sonnet-4-5-20250929", "wrkspc_01", 922430L, 902000L, 5200L, 4000L, 48700L, (long?)null, 22.3455m, CostBasis.ProviderReported),
                // 100*3e-6 + 10*1.5e-5, computed: the report has no line for the 21st
                (21, "claude-sonnet-4-5-20250929", "wrkspc_01", 100L, 0L, 0L, 0L, 10L, (long?)null, 0.00045m, CostBasis.Computed),
            ]);
        (await harness.ScalarAsync<decimal>("SELECT sum(amount_usd) FROM telemetry.billed_cost WHERE source_system = 'anthropic'")).ShouldBe(25.3455m);
        (await harness.ScalarAsync<string>("SELECT currency FROM telemetry.billed_cost LIMIT 1")).ShouldBe("USD");
    }

    [Fact]
    public async Task Copilot_reports_give_cli_tokens_and_per_model_requests_with_null_tokens_and_billing()
    {
        using var server = new FixtureHttpServer(async c =>
        {
            var path = c.Request.Url!.AbsolutePath;
            if (path.StartsWith("/downloads/", StringComparison.Ordinal))
            {
                c.Request.Headers["Authorization"].ShouldBeNull(); // the GitHub token never goes to a download host
                await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path("copilot", path["/downloads/".Length..])), "application/x-ndjson");
                return;
            }
            c.Request.Headers["Authorization"].ShouldBe("Bearer ghp_test");
            if (path == "/orgs/acme/copilot/metrics/reports/organization-1-day" && c.Request.QueryString["day"] == "2025-11-20")
            {
                var body = File.ReadAllText(Fixtures.Path("copilot", "report-2025-11-20.json")).Replace("{BASE}", $"http://{c.Request.Url.Authority}/", StringComparison.Ordinal);
                await FixtureHttpServer.Respond(c, 200, body);
            }
            else if (path == "/organizations/acme/settings/billing/premium_request/usage")
                await FixtureHttpServer.Respond(c, 200, File.ReadAllText(Fixtures.Path("copilot", "premium-request-usage.json")));
            else await FixtureHttpServer.Respond(c, 404, """{"message":"Not Found"}""");
        });
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig
        {
            Sources = new SourcesConfig { Copilot = new CopilotSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, Token = "ghp_test", Organization = "acme" } },
        };
        using var source = new CopilotSource(config.Sources.Copilot!, harness.Context(config));

        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Day1, Day1.AddDays(1)))).ShouldHaveSingleItem();

        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        (await harness.RowsAsync("copilot")).Select(r => (r.ModelId, r.InputTokens, r.CachedReadTokens, r.OutputTokens, r.RequestCount, r.CostUsd))
            .ShouldBe([
                ("claude-sonnet-4.6", (long?)null, (long?)null, (long?)null, 11L, (decimal?)null),
                ("copilot-cli", 812000L, (long?)null, 23400L, 41L, (decimal?)null),
                ("gpt-5", (long?)null, (long?)null, (long?)null, 5L, (decimal?)null),
            ]);
        (await harness.ScalarAsync<decimal>("SELECT sum(amount_usd) FROM telemetry.billed_cost WHERE source_system = 'copilot'")).ShouldBe(0.8m);
        (await harness.ScalarAsync<decimal>("SELECT used FROM telemetry.usage_meter WHERE meter = 'copilot.premium_requests'")).ShouldBe(20m);
    }

    [Fact]
    public async Task A_missing_copilot_report_day_fails_with_a_clear_message()
    {
        using var server = new FixtureHttpServer(c => FixtureHttpServer.Respond(c, 404, """{"message":"Not Found"}"""));
        var harness = await EngineHarness.CreateAsync();
        var config = new InstanceConfig { Sources = new SourcesConfig { Copilot = new CopilotSourceConfig { Enabled = true, BaseUrl = server.BaseUrl, Token = "t", Organization = "acme" } } };
        using var source = new CopilotSource(config.Sources.Copilot!, harness.Context(config));
        var outcome = (await harness.RunAsync(config, [source], new CollectionRange(Day1, Day1.AddDays(1)))).ShouldHaveSingleItem();
        outcome.Message.ShouldBe($"GET {server.BaseUrl}orgs/acme/copilot/metrics/reports/organization-1-day: 404 Not Found — check base_url and the organization/enterprise name");
    }
}
