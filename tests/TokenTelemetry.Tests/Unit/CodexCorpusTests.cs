using Shouldly;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>
/// tests/fixtures/usage/codex.log holds one conversation as Codex writes it: the parent rollout (a repeated
/// token_count after a rate-limit update, a model switch, a repeat at the end), a user fork of it (the first turn's
/// history copied with its turn contexts, every copied line re-stamped at the fork) and a sub-agent spawned from it
/// (history copied without turn contexts). Six model calls happened; the totals below are summed by hand from the
/// fixture's last_token_usage values.
/// </summary>
public sealed class CodexCorpusTests
{
    private static readonly string[] Files = Directory.GetFiles(Fixtures.Path("usage", "codex.log"), "rollout-*.jsonl")
        .Where(f => !f.EndsWith(".expected.jsonl", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();

    private static List<UsageTelemetry> All() =>
        Files.SelectMany(f => { using var input = File.OpenRead(f); return NormalizedOutput.Run(input).Usages; }).ToList();

    [Fact]
    public void Each_model_call_comes_out_once_across_the_rollout_its_fork_and_its_sub_agent()
    {
        Files.Length.ShouldBe(3);
        var usages = All();
        // Parent 3 calls; the fork's copy of 2 of them is not emitted (the parent counts them), it adds 2; the
        // sub-agent's copy likewise, and it adds 1.
        usages.Count.ShouldBe(6);
        usages.ShouldAllBe(u => u.CallId != null && u.Model != null);
        var calls = usages.GroupBy(u => u.CallId).Select(g => g.First()).ToList();
        calls.Count.ShouldBe(6);
        calls.Sum(c => c.InputTokens).ShouldBe(89_350);
        calls.Sum(c => c.CachedReadTokens).ShouldBe(59_008);
        calls.Sum(c => c.OutputTokens).ShouldBe(7_310);
        calls.Sum(c => c.ReasoningTokens).ShouldBe(3_088);
        calls.Sum(c => c.RequestCount).ShouldBe(6);
    }

    [Fact]
    public void Copies_keep_their_real_model_and_are_never_unknown()
    {
        var byModel = All().GroupBy(u => u.CallId).Select(g => g.First()).GroupBy(u => u.Model!)
            .ToDictionary(g => g.Key, g => (Calls: g.Count(), Input: g.Sum(u => u.InputTokens), Cached: g.Sum(u => u.CachedReadTokens),
                Output: g.Sum(u => u.OutputTokens), Reasoning: g.Sum(u => u.ReasoningTokens)));
        byModel.Keys.Order().ShouldBe(["gpt-5.1-codex", "gpt-5.1-codex-mini"]);
        byModel["gpt-5.1-codex"].ShouldBe((4, (long?)62_650, (long?)43_904, (long?)4_470, (long?)1_732));
        byModel["gpt-5.1-codex-mini"].ShouldBe((2, (long?)26_700, (long?)15_104, (long?)2_840, (long?)1_356));
    }

    [Fact]
    public void Identities_do_not_depend_on_the_file_name_or_the_order_files_are_read()
    {
        var forward = All().Select(u => u.CallId).Distinct().Order().ToList();
        var backward = Files.Reverse().SelectMany(f => NormalizedOutput.Run(new MemoryStream(File.ReadAllBytes(f))).Usages)
            .Select(u => u.CallId).Distinct().Order().ToList();
        backward.ShouldBe(forward);
    }
}
