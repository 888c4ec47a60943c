using System.Text;

namespace TokenTelemetry.Benchmarks;

/// <summary>
/// Writes Codex rollouts as Codex does (codex/sessions/YYYY/MM/DD/rollout-…-&lt;id&gt;.jsonl; timestamp, type, payload
/// in that order): session_meta with the base instructions, per turn a turn_context, the user message, reasoning
/// items, tool calls and their (large) outputs, agent messages, and after each model call a token_count with the
/// running total — repeated now and then when only the rate limits changed. One session in ten is forked (its first
/// turns copied, turn contexts included, every copied line re-stamped at the fork) and one in ten spawns a sub-agent
/// (history copied without turn contexts). Returns the number of distinct model calls written.
/// </summary>
public static class CodexCorpus
{
    private static readonly string[] Models = ["gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5-codex"];

    public static long Write(string root, long targetBytes, int seed = 17)
    {
        var text = new CorpusText(seed);
        long bytes = 0, calls = 0;
        var start = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
        for (var session = 0; bytes < targetBytes; session++)
        {
            var t = start.AddMinutes(session * 131 % (26 * 24 * 60));
            var id = text.Uuid();
            var lines = new List<string> { Meta(text, t, id, null, false) };
            var total = new long[6]; // running usage, then the quota step and its reset time
            total[5] = t.ToUnixTimeSeconds() + 9000;
            var forkAt = 0;
            for (var turn = 0; turn < text.Next(2, 7); turn++)
            {
                if (turn == 1) forkAt = lines.Count;
                calls += Turn(text, lines, ref t, Models[text.Next(0, 10) switch { < 6 => 0, < 9 => 1, _ => 2 }], total);
            }
            bytes += WriteRollout(root, t, id, lines);
            if (forkAt > 0 && text.Chance(0.1))
            {
                var fork = text.Uuid();
                var at = t.AddMinutes(20);
                var copy = Restamp(lines.Take(forkAt), at, l => true).Prepend(Meta(text, at, fork, id, false)).ToList();
                var forkTotal = (long[])total.Clone();
                calls += Turn(text, copy, ref at, Models[0], forkTotal);
                bytes += WriteRollout(root, at, fork, copy);
            }
            if (forkAt > 0 && text.Chance(0.1))
            {
                var agent = text.Uuid();
                var at = t.AddMinutes(2);
                var copy = Restamp(lines.Take(forkAt), at, l => !l.Contains("\"type\":\"turn_context\"", StringComparison.Ordinal))
                    .Prepend(Meta(text, at, agent, id, true)).ToList();
                var agentTotal = (long[])total.Clone();
                calls += Turn(text, copy, ref at, Models[1], agentTotal);
                bytes += WriteRollout(root, at, agent, copy);
            }
        }
        return calls;
    }

    private static string Line(DateTimeOffset t, string type, string payload) => $"{{\"timestamp\":\"{CorpusText.Time(t)}\",\"type\":\"{type}\",\"payload\":{payload}}}";

    private static string Meta(CorpusText text, DateTimeOffset t, string id, string? parent, bool subagent)
    {
        var fork = parent is null ? "" : $"\"forked_from_id\":\"{parent}\",";
        var source = subagent ? $"{{\"subagent\":{{\"thread_spawn\":{{\"parent_thread_id\":\"{parent}\",\"depth\":1}}}}}}" : "\"cli\"";
        return Line(t, "session_meta", $"{{\"id\":\"{id}\",{fork}\"timestamp\":\"{CorpusText.Time(t)}\",\"cwd\":\"/home/dev/shop\",\"originator\":\"codex_cli_rs\",\"cli_version\":\"0.63.0\",\"source\":{source},\"model_provider\":\"openai\",\"base_instructions\":{{\"text\":\"{text.Escaped(12_000)}\"}}}}");
    }

    private static int Turn(CorpusText text, List<string> lines, ref DateTimeOffset t, string model, long[] total)
    {
        lines.Add(Line(t, "turn_context", $"{{\"cwd\":\"/home/dev/shop\",\"approval_policy\":\"on-request\",\"sandbox_policy\":{{\"type\":\"workspace-write\",\"network_access\":false}},\"model\":\"{model}\",\"effort\":\"medium\",\"summary\":\"auto\",\"user_instructions\":\"{text.Escaped(text.Next(200, 1200))}\"}}"));
        var prompt = text.Escaped(text.Next(40, 500));
        lines.Add(Line(t, "response_item", $"{{\"type\":\"message\",\"role\":\"user\",\"content\":[{{\"type\":\"input_text\",\"text\":\"{prompt}\"}}]}}"));
        lines.Add(Line(t, "event_msg", $"{{\"type\":\"user_message\",\"message\":\"{prompt}\",\"images\":[]}}"));
        var calls = text.Next(1, 7);
        for (var call = 0; call < calls; call++)
        {
            t = t.AddSeconds(text.Next(4, 50));
            lines.Add(Line(t, "response_item", $"{{\"type\":\"reasoning\",\"summary\":[{{\"type\":\"summary_text\",\"text\":\"{text.Escaped(text.Next(80, 400))}\"}}],\"content\":null,\"encrypted_content\":\"{text.Id("gAAAAA", text.Next(1500, 5000))}\"}}"));
            lines.Add(Line(t, "event_msg", $"{{\"type\":\"agent_reasoning\",\"text\":\"{text.Escaped(text.Next(80, 400))}\"}}"));
            var last = new long[] { text.Next(8_000, 60_000), 0, text.Next(50, 3000), 0 };
            last[1] = last[0] * text.Next(0, 95) / 100;
            last[3] = last[2] * text.Next(0, 80) / 100;
            for (var k = 0; k < 4; k++) total[k] += last[k];
            var info = $"{{\"total_token_usage\":{Usage(total)},\"last_token_usage\":{Usage(last)},\"model_context_window\":258400}}";
            // Quota readings move slowly: whole percents, a step every few calls, windows fixed for the session.
            if (text.Chance(0.4)) total[4]++;
            var limits = $"{{\"primary\":{{\"used_percent\":{5 + total[4] % 90}.0,\"window_minutes\":300,\"resets_at\":{total[5]}}},\"secondary\":{{\"used_percent\":{20 + total[4] / 10 % 70}.0,\"window_minutes\":10080,\"resets_at\":{total[5] + 400000}}},\"plan_type\":\"plus\"}}";
            lines.Add(Line(t, "event_msg", $"{{\"type\":\"token_count\",\"info\":{info},\"rate_limits\":{limits}}}"));
            if (text.Chance(0.15)) lines.Add(Line(t.AddMilliseconds(640), "event_msg", $"{{\"type\":\"token_count\",\"info\":{info},\"rate_limits\":{limits}}}"));
            if (call < calls - 1)
            {
                var callId = text.Id("call_", 24);
                lines.Add(Line(t, "response_item", $"{{\"type\":\"function_call\",\"name\":\"shell\",\"arguments\":\"{{\\\"command\\\":[\\\"bash\\\",\\\"-lc\\\",\\\"rg total src\\\"]}}\",\"call_id\":\"{callId}\"}}"));
                lines.Add(Line(t.AddSeconds(1), "response_item", $"{{\"type\":\"function_call_output\",\"call_id\":\"{callId}\",\"output\":\"{text.Escaped(text.Next(300, 12_000))}\"}}"));
            }
        }
        var answer = text.Escaped(text.Next(100, 1500));
        lines.Add(Line(t, "response_item", $"{{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"text\":\"{answer}\"}}]}}"));
        lines.Add(Line(t, "event_msg", $"{{\"type\":\"agent_message\",\"message\":\"{answer}\"}}"));
        return calls;
    }

    private static string Usage(long[] u) =>
        $"{{\"input_tokens\":{u[0]},\"cached_input_tokens\":{u[1]},\"output_tokens\":{u[2]},\"reasoning_output_tokens\":{u[3]},\"total_tokens\":{u[0] + u[2]}}}";

    private static IEnumerable<string> Restamp(IEnumerable<string> lines, DateTimeOffset at, Func<string, bool> keep)
    {
        var stamp = CorpusText.Time(at);
        return lines.Where(keep).Select(l => "{\"timestamp\":\"" + stamp + l[(l.IndexOf("\",\"type\"", StringComparison.Ordinal))..]);
    }

    private static long WriteRollout(string root, DateTimeOffset t, string id, List<string> lines)
    {
        var u = t.UtcDateTime;
        var folder = Path.Combine(root, "sessions", $"{u:yyyy}", $"{u:MM}", $"{u:dd}");
        Directory.CreateDirectory(folder);
        var content = string.Join('\n', lines) + "\n";
        File.WriteAllText(Path.Combine(folder, $"rollout-{u:yyyy-MM-dd'T'HH-mm-ss}-{id}.jsonl"), content);
        return Encoding.UTF8.GetByteCount(content);
    }
}
