using System.Globalization;
using System.Text;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Writes Claude Code project folders as Claude Code 2.x does (claude/projects/&lt;project&gt;/&lt;session&gt;.jsonl, keys in
/// its order): prompts, one to three assistant lines per API response (thinking with an intermediate output count,
/// then text or tool_use with the final one), tool results with their toolUseResult copy (most of the bytes),
/// sub-agent files under &lt;session&gt;/subagents/, summaries and file-history snapshots, and resumed sessions that
/// begin with a copy of the previous session's lines. Returns the number of distinct API responses written.
/// </summary>
public static class ClaudeCodeCorpus
{
    private static readonly string[] Models = ["claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001"];

    public static long Write(string root, long targetBytes, int seed = 11)
    {
        var text = new CorpusText(seed);
        long bytes = 0, responses = 0;
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        List<string>? previous = null;
        for (var session = 0; bytes < targetBytes; session++)
        {
            var project = Path.Combine(root, "projects", $"-home-dev-project{session % 12}");
            var sessionId = text.Uuid();
            Directory.CreateDirectory(project);
            var lines = new List<string>();
            if (previous is not null && text.Chance(0.15))
            {
                // A resumed session: the earlier conversation copied up to a prompt, whole responses only.
                var cut = previous.FindIndex(previous.Count / 3, l => l.Contains("\"thinkingMetadata\"", StringComparison.Ordinal));
                lines.AddRange(previous.Take(cut < 0 ? previous.Count : cut));
            }
            var t = start.AddMinutes(session * 97 % (26 * 24 * 60));
            responses += Conversation(text, lines, sessionId, $"/home/dev/project{session % 12}", t, sidechain: false);
            if (text.Chance(0.2))
            {
                var agents = Path.Combine(project, sessionId, "subagents");
                Directory.CreateDirectory(agents);
                var sub = new List<string>();
                responses += Conversation(text, sub, sessionId, $"/home/dev/project{session % 12}", t.AddMinutes(3), sidechain: true);
                bytes += WriteLines(Path.Combine(agents, $"agent-{text.Id("", 8)}.jsonl"), sub);
            }
            bytes += WriteLines(Path.Combine(project, sessionId + ".jsonl"), lines);
            previous = lines;
        }
        return responses;
    }

    private static long WriteLines(string path, List<string> lines)
    {
        var content = string.Join('\n', lines) + "\n";
        File.WriteAllText(path, content);
        return Encoding.UTF8.GetByteCount(content);
    }

    private static int Conversation(CorpusText text, List<string> lines, string sessionId, string cwd, DateTimeOffset t, bool sidechain)
    {
        var head = $"\"isSidechain\":{(sidechain ? "true" : "false")},\"userType\":\"external\",\"cwd\":\"{cwd}\",\"sessionId\":\"{sessionId}\",\"version\":\"2.1.140\",\"gitBranch\":\"main\"";
        var parent = (string?)null;
        var responses = 0;
        var cacheRead = text.Next(8_000, 20_000);
        string Parent() => parent is null ? "null" : $"\"{parent}\"";
        for (var turn = 0; turn < text.Next(3, 9); turn++)
        {
            var uuid = text.Uuid();
            lines.Add($"{{\"parentUuid\":{Parent()},{head},\"type\":\"user\",\"message\":{{\"role\":\"user\",\"content\":\"{text.Escaped(text.Next(40, 600))}\"}},\"uuid\":\"{uuid}\",\"timestamp\":\"{CorpusText.Time(t)}\",\"thinkingMetadata\":{{\"level\":\"high\",\"disabled\":false,\"triggers\":[]}},\"todos\":[]}}");
            parent = uuid;
            for (var call = 0; call < text.Next(2, 12); call++)
            {
                t = t.AddSeconds(text.Next(3, 40));
                var model = Models[text.Next(0, 10) switch { < 6 => 0, < 8 => 1, _ => 2 }];
                var id = text.Id("msg_01", 22);
                var request = text.Id("req_011C", 18);
                var write = text.Chance(0.3) ? text.Next(200, 6000) : 0;
                var output = text.Next(40, 2500);
                var toolUse = text.Chance(0.75);
                string Usage(int o) => $"{{\"input_tokens\":{text.Next(1, 12)},\"cache_creation_input_tokens\":{write},\"cache_read_input_tokens\":{cacheRead},\"cache_creation\":{{\"ephemeral_5m_input_tokens\":{write},\"ephemeral_1h_input_tokens\":0}},\"output_tokens\":{o},\"service_tier\":\"standard\"}}";
                string Assistant(string content, string stop, int o)
                {
                    var u = text.Uuid();
                    var line = $"{{\"parentUuid\":{Parent()},{head},\"message\":{{\"model\":\"{model}\",\"id\":\"{id}\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[{content}],\"stop_reason\":{stop},\"stop_sequence\":null,\"usage\":{Usage(o)}}},\"requestId\":\"{request}\",\"type\":\"assistant\",\"uuid\":\"{u}\",\"timestamp\":\"{CorpusText.Time(t)}\"}}";
                    parent = u;
                    return line;
                }
                if (text.Chance(0.7)) lines.Add(Assistant($"{{\"type\":\"thinking\",\"thinking\":\"{text.Escaped(text.Next(100, 1500))}\",\"signature\":\"{text.Id("Eq", 120)}\"}}", "null", text.Next(1, 9)));
                if (toolUse)
                {
                    var toolId = text.Id("toolu_01", 22);
                    lines.Add(Assistant($"{{\"type\":\"tool_use\",\"id\":\"{toolId}\",\"name\":\"Read\",\"input\":{{\"file_path\":\"{cwd}/src/cart{text.Next(0, 40)}.ts\"}}}}", "\"tool_use\"", output));
                    var result = text.Escaped(text.Next(300, 14_000));
                    var u = text.Uuid();
                    lines.Add($"{{\"parentUuid\":{Parent()},{head},\"type\":\"user\",\"message\":{{\"role\":\"user\",\"content\":[{{\"tool_use_id\":\"{toolId}\",\"type\":\"tool_result\",\"content\":\"{result}\"}}]}},\"uuid\":\"{u}\",\"timestamp\":\"{CorpusText.Time(t.AddSeconds(1))}\",\"toolUseResult\":{{\"type\":\"text\",\"file\":{{\"filePath\":\"{cwd}/src/cart.ts\",\"content\":\"{result}\",\"numLines\":120,\"startLine\":1,\"totalLines\":120}}}}}}");
                    parent = u;
                }
                else lines.Add(Assistant($"{{\"type\":\"text\",\"text\":\"{text.Escaped(text.Next(80, 2000))}\"}}", "\"end_turn\"", output));
                cacheRead += write + text.Next(50, 900);
                responses++;
            }
            if (text.Chance(0.3))
                lines.Add($"{{\"type\":\"file-history-snapshot\",\"messageId\":\"{parent}\",\"snapshot\":{{\"messageId\":\"{parent}\",\"trackedFileBackups\":{{}},\"timestamp\":\"{CorpusText.Time(t)}\"}},\"isSnapshotUpdate\":false}}");
        }
        lines.Add($"{{\"type\":\"summary\",\"summary\":\"{text.Escaped(60)}\",\"leafUuid\":\"{parent}\"}}");
        return responses;
    }
}
