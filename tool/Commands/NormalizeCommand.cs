using Cocona;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Commands;

public sealed class NormalizeCommand
{
    [Command("normalize", Description = "Print the canonical usage of each provider payload as JSON lines (no database)")]
    public int Normalize(
        [Argument(Description = "A JSON/JSONL/SSE file, or - for stdin")] string file,
        [Option(Description = "auto, or a route: openai.chat, openai.responses, anthropic.messages, gemini.generate_content, deepseek.chat, bedrock.converse, openrouter.chat, xai.chat, mistral.chat, moonshot.chat, ollama.native, openai_compatible.chat, codex.log, openrouter.key, claude_code.log")]
        string format = "auto",
        [Option(Description = "Provider to record instead of the route's own (e.g. vllm for an OpenAI-compatible server)")] string? provider = null,
        [Option(Description = "Show stack traces on errors")] bool verbose = false)
    {
        _ = verbose; // read by Program before the command runs
        if (UsageLimits.LabelProblem("--provider", provider) is { } bad) throw new TelemetryException(bad, "pass a plain provider name such as vllm");
        using var input = file == "-" ? Invocation.Current.Terminal.OpenInput() : OpenFile(file);
        using var stdout = new BufferedStream(Invocation.Current.Terminal.OpenOutput(), 1 << 16);
        using var sink = new CanonicalJsonWriter(stdout, Invocation.Current.Terminal.Error, provider);
        new UsageNormalizer(sink, format).Run(input, ct: ProcessLifetime.Token);
        stdout.Flush();
        Terminal.Progress($"normalize: {sink.Usages} usage record(s), {sink.Meters} meter reading(s), {sink.Rejections} rejected line(s)");
        return ExitCodes.PartialIf(sink.Rejections > 0);
    }

    private static FileStream OpenFile(string path)
    {
        if (!File.Exists(Invocation.Current.FullPath(path))) throw new TelemetryException($"{path} does not exist", "pass a JSON/JSONL file, or - to read stdin");
        return new FileStream(Invocation.Current.FullPath(path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }
}
