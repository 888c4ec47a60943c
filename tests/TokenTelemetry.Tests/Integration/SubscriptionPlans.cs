using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Verification;

namespace TokenTelemetry.Tests.Integration;

/// <summary>What the subscription tests share: the reference plan ($20 a month), "now" 2026-11-28 12:00 UTC, a
/// collect cycle through the real engine, and `verify` over the result.</summary>
internal static class SubscriptionPlans
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static InstanceConfig Config(DateOnly? start = null, int billingDay = 1) => new()
    {
        Sources = new SourcesConfig
        {
            Subscriptions = new SubscriptionsSourceConfig
            {
                Enabled = true,
                Plans = [new SubscriptionPlanConfig { Name = "Team", Provider = "openai", MonthlyUsd = 20, BillingDay = billingDay, Start = start }],
            },
        },
    };

    public static async Task<EngineHarness> CollectAsync(InstanceConfig config, EngineHarness? harness = null)
    {
        harness ??= await EngineHarness.CreateAsync();
        if (harness.Clock.Now < Now) harness.Clock.Now = Now;
        var outcome = (await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)])).ShouldHaveSingleItem();
        outcome.Status.ShouldBe(SourceStatus.Ok, outcome.Message);
        return harness;
    }

    public static async Task<IReadOnlyList<CheckResult>> VerifyAsync(EngineHarness harness, InstanceConfig config)
    {
        var sources = SourceFactory.Create(harness.Context(config), []);
        await using var c = await harness.OpenAsync();
        return await new Verifier(harness.Schema, config, sources, new Pricing.ModelResolver(EngineHarness.Table), harness.Clock).RunAsync(c, CancellationToken.None);
    }
}
