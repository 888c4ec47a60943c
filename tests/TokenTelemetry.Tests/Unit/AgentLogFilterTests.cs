using System.Text;
using Shouldly;
using TokenTelemetry.Tests.Support;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>The byte-level skip of agent-log lines that cannot carry usage: it skips only exact shapes, and the
/// normalizer's output is the same with it as without it.</summary>
public sealed class AgentLogFilterTests
{
    [Theory]
    [InlineData("""{"timestamp":"2026-08-20T14:00:09.300Z","type":"response_item","payload":{"type":"reasoning","encrypted_content":"gAAAA"}}""", true)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:09.300Z","type":"compacted","payload":{"message":"…"}}""", true)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:21.706Z","type":"event_msg","payload":{"type":"agent_message","message":"Added."}}""", true)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:09.310Z","type":"event_msg","payload":{"type":"token_count","info":null}}""", false)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:01.004Z","type":"turn_context","payload":{"model":"gpt-5.1-codex"}}""", false)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:00.000Z","type":"session_meta","payload":{"id":"s1"}}""", false)]
    [InlineData("""{"timestamp":"2026-08-20T14:00:21.706Z","type":"event_msg","payload":{"info":{},"type":"token_count"}}""", false)]
    [InlineData("""{"type":"event_msg","timestamp":"2026-08-20T14:00:21.706Z","payload":{"type":"agent_message"}}""", false)]
    [InlineData("""{"parentUuid":"u-1","isSidechain":false,"sessionId":"7c1e","type":"user","message":{"role":"user","content":"say \"usage\": twice"}}""", true)]
    [InlineData("""{"parentUuid":"u-1","isSidechain":false,"sessionId":"7c1e","message":{"id":"msg_01A","usage":{"input_tokens":3}},"type":"assistant"}""", false)]
    [InlineData("""{"parentUuid":"u-1","sessionId":"7c1e","type":"user","toolUseResult":{"usage":{"input_tokens":9}}}""", false)]
    [InlineData("""{"parentUuid":"u-1","type":"user","message":{"role":"user","content":"no session"}}""", false)]
    [InlineData("""{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[]}""", false)]
    public void Skips_only_lines_that_cannot_carry_usage(string line, bool noise) =>
        AgentLogFilter.IsNoise(Encoding.UTF8.GetBytes(line)).ShouldBe(noise);

    public static TheoryData<string> AgentFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var route in (string[])["claude_code.log", "codex.log"])
            foreach (var file in Directory.GetFiles(Fixtures.Path("usage", route), "*.jsonl").Where(f => !f.EndsWith(".expected.jsonl", StringComparison.Ordinal)))
                data.Add(Path.GetRelativePath(Fixtures.Path("usage"), file));
        return data;
    }

    [Theory]
    [MemberData(nameof(AgentFixtures))]
    public void The_output_is_the_same_with_and_without_the_skip(string fixture)
    {
        var bytes = File.ReadAllBytes(Fixtures.Path("usage", fixture));
        Normalize(bytes, skip: true).ShouldBe(Normalize(bytes, skip: false));
    }

    private static string Normalize(byte[] input, bool skip)
    {
        using var output = new MemoryStream();
        var rejected = new StringWriter();
        using (var writer = new CanonicalJsonWriter(output, rejected))
            new UsageNormalizer(writer) { SkipAgentNoise = skip }.Run(new MemoryStream(input));
        return Encoding.UTF8.GetString(output.ToArray()) + rejected;
    }
}
