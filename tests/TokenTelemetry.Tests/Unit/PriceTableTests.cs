using System.Text;
using Shouldly;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Tests.Unit;

public sealed class PriceTableTests
{
    private static PriceTable Parse(string json) => PriceTable.Parse(Encoding.UTF8.GetBytes(json), "the file prices.json");

    [Fact]
    public void A_negative_rate_refuses_the_whole_table_naming_the_entry()
    {
        var error = Should.Throw<TelemetryException>(() => Parse("""
            {"good-model":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06},
             "bad-model":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06,"cache_read_input_token_cost":"-1e-07"}}
            """));
        error.Message.ShouldBe("the price table from the file prices.json has a negative rate: bad-model.cache_read_input_token_cost = -0.0000001");
        error.Hint.ShouldBe("fix the table or its pricing.overrides entry; rates are USD per token, never below 0");
    }

    [Fact]
    public void A_negative_tier_rate_is_refused_too()
    {
        Should.Throw<TelemetryException>(() => Parse("""{"m":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06,"output_cost_per_token_above_200k_tokens":-3e-06}}"""))
            .Message.ShouldBe("the price table from the file prices.json has a negative rate: m.output_cost_per_token_above_200k_tokens = -0.000003");
    }

    [Fact]
    public void A_negative_override_is_refused_and_zero_is_a_rate()
    {
        var table = Parse("""{"m":{"input_cost_per_token":1e-06,"output_cost_per_token":2e-06}}""");
        Should.Throw<TelemetryException>(() => table.WithOverrides(new Dictionary<string, PriceOverride> { ["m"] = new(new Rates { Output = -1m }) }))
            .Message.ShouldBe("the price table from config (pricing.overrides) has a negative rate: m.output_cost_per_token = -1");
        table.WithOverrides(new Dictionary<string, PriceOverride> { ["m"] = new(new Rates { Output = 0m }) }).Get("m")!.Base.Output.ShouldBe(0m);
    }
}
