using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// What a call is, as 16 bytes: the XXH3 128-bit hash of a key made of the call's content — never of the file it came
/// in (its name, path, size or modification time). XXH3-128 rather than a cryptographic hash: SHA-256 through the
/// platform's crypto library cost 2.5 µs a call, 40 % of an import; 128 bits keep accidental collisions out of reach
/// (about 10^-20 at a billion calls). docs/schema.md, "Call identity", is the contract:
/// <list type="bullet">
/// <item>a call with its own id (response / message id, else its log envelope's request id): <c>call\n{id}</c> — the
///   same whichever door, route or provider label it comes with (a vLLM response read raw and through a LiteLLM spend
///   log is one call; response ids are random strings, and the made-up ones are not used: Usage.CallIds);</item>
/// <item>a call without one: <c>content\n{provider}\n{route}\n{model}\n{time}\n{counts}\n{provider cost}\n{n}</c>, where time
///   is the payload's (or envelope's) own time, never a --at fallback, and n counts identical such records before it
///   in the same file — two identical id-less lines of one file are two calls, the same line in a copy is the same;</item>
/// <item>an aggregate row: <c>row\n{source_system as written, else empty}\n{model_id}\n{window}\n{user}\n{project}</c> — so
///   the same row through `import` and the `manual` source is one row.</item>
/// </list>
/// </summary>
public static class CallIdentity
{
    public static UInt128 OfCall(string callId) => Hash($"call\n{callId}");

    /// <summary>The content key of an id-less call (without its occurrence number).</summary>
    public static string ContentKey(UsageTelemetry u) => string.Create(CultureInfo.InvariantCulture,
        $"content\n{u.Provider}\n{u.Route}\n{u.Model}\n{u.ObservedAt?.UtcDateTime:O}\n{u.InputTokens}|{u.CachedReadTokens}|{u.CachedWriteTokens}|{u.CachedWrite1hTokens}|{u.OutputTokens}|{u.ReasoningTokens}|{u.RequestCount}\n{u.ProviderCostUsd}");

    public static UInt128 OfContent(string contentKey, int occurrence) =>
        Hash(string.Create(CultureInfo.InvariantCulture, $"{contentKey}\n{occurrence}"));

    public static UInt128 OfRow(string? writtenSourceSystem, string modelId, DateTimeOffset start, DateTimeOffset end, string? userId, string? projectId) =>
        Hash(string.Create(CultureInfo.InvariantCulture,
            $"row\n{writtenSourceSystem}\n{modelId}\n{start.UtcDateTime:O}\n{end.UtcDateTime:O}\n{userId}\n{(userId is null ? "-" : "+")}\n{projectId}\n{(projectId is null ? "-" : "+")}"));

    public static UInt128 Hash(string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var bytes = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(key, bytes);
        return XxHash128.HashToUInt128(bytes[..length]);
    }

    public static void Write(UInt128 id, Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, id);

    public static UInt128 Read(ReadOnlySpan<byte> source) => BinaryPrimitives.ReadUInt128BigEndian(source);
}
