using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>
/// Every recorded payload under tests/fixtures/usage/&lt;route&gt;/ normalizes to exactly the canonical records in
/// its .expected.jsonl (each listed field, hand-computed from the provider's documented semantics) and rejects
/// exactly the lines in its .rejected.txt.
/// </summary>
public sealed class UsageFixtureTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Fixtures.Path("usage"), "*.jsonl", SearchOption.AllDirectories)
                     .Where(f => !f.EndsWith(".expected.jsonl", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Fixtures.Path("usage"), file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Normalizes_to_the_expected_canonical_records(string fixture)
    {
        var path = Fixtures.Path("usage", fixture);
        using var input = File.OpenRead(path);
        var output = NormalizedOutput.Run(input);

        var expected = File.ReadAllLines(Path.ChangeExtension(path, ".expected.jsonl"))
            .Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        output.Records.Count.ShouldBe(expected.Count, string.Join("\n", output.Records.Select(r => r.ToJsonString())));
        for (var i = 0; i < expected.Count; i++)
            foreach (var (key, value) in expected[i])
            {
                output.Records[i].ContainsKey(key).ShouldBeTrue($"record {i} has no '{key}'");
                Same(output.Records[i][key], value).ShouldBeTrue($"record {i}: {key} is {output.Records[i][key]?.ToJsonString() ?? "null"}, expected {value?.ToJsonString() ?? "null"}");
            }

        var rejectedPath = Path.ChangeExtension(path, ".rejected.txt");
        output.Rejections.ShouldBe(File.Exists(rejectedPath) ? File.ReadAllLines(rejectedPath).Where(l => l.Length > 0).ToArray() : []);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_record_keeps_the_canonical_invariants(string fixture)
    {
        using var input = File.OpenRead(Fixtures.Path("usage", fixture));
        foreach (var u in NormalizedOutput.Run(input).Usages)
        {
            if (u.InputTokens is { } input2) (input2 - (u.CachedReadTokens ?? 0) - (u.CachedWriteTokens ?? 0)).ShouldBeGreaterThanOrEqualTo(0);
            if (u.OutputTokens is { } output) (u.ReasoningTokens ?? 0).ShouldBeLessThanOrEqualTo(output);
            if (u.CachedWrite1hTokens is { } oneHour) oneHour.ShouldBeLessThanOrEqualTo(u.CachedWriteTokens!.Value);
            if (u.InputTokens is null) u.CachedReadTokens.ShouldBeNull();
            u.Inconsistency().ShouldBeNull();
        }
    }

    private static bool Same(JsonNode? actual, JsonNode? expected)
    {
        if (actual is null || expected is null) return actual is null && expected is null;
        if (actual.GetValueKind() == JsonValueKind.Number && expected.GetValueKind() == JsonValueKind.Number)
            return decimal.Parse(actual.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
                == decimal.Parse(expected.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
        return JsonNode.DeepEquals(actual, expected);
    }
}
