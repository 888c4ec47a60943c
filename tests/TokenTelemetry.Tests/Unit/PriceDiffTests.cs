using System.Text;
using System.Text.Json.Nodes;
using Shouldly;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Tests.Unit;

/// <summary>What `pricing update` reports: for the models in use, only those whose entry or rates change, old → new.</summary>
public sealed class PriceDiffTests
{
    [Fact]
    public void Only_models_in_use_whose_entry_or_rates_change_are_listed_rate_by_rate()
    {
        var old = PriceTableLoader.Bundled();
        var json = JsonNode.Parse(EmbeddedAssets.ReadBytes("pricing/litellm_model_prices.json"))!;
        json["gpt-4o-mini"]!["input_cost_per_token"] = 0.0000003m;
        json["gpt-4o-mini"]!["input_cost_per_token_above_128k_tokens"] = 0.0000006m;
        json["my-model"] = new JsonObject { ["input_cost_per_token"] = 0.000001m, ["output_cost_per_token"] = 0.000002m, ["litellm_provider"] = "openai" };
        json.AsObject().Remove("gpt-3.5-turbo");
        var updated = PriceTable.Parse(Encoding.UTF8.GetBytes(json.ToJsonString()), "v2");

        var changes = PriceDiff.Compare(old, updated, [("gpt-4o-mini", "openai"), ("gpt-4o", "openai"), ("gpt-4o-mini#batch", "openai"), ("my-model", null), ("gpt-3.5-turbo", "openai")]);

        changes.Select(PriceDiff.Describe).ShouldBe([
            "gpt-4o-mini (openai): entry gpt-4o-mini; input 0.00000015 → 0.0000003, input > 128,000 none → 0.0000006",
            "my-model: now priced as my-model (had no price); input none → 0.000001, output none → 0.000002",
            "gpt-3.5-turbo (openai): no longer in the table (was gpt-3.5-turbo): its cost would become NULL; input 0.0000005 → none, output 0.0000015 → none",
        ]);
    }
}
