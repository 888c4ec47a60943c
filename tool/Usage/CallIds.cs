namespace TokenTelemetry.Usage;

/// <summary>
/// Whether an id a payload or log envelope carries can identify one call (UsageTelemetry.CallId). Not an identity:
/// an empty id, one with control characters or over 512 characters, and Ollama's OpenAI-compatible ids, chatcmpl-N
/// and cmpl-N with N drawn from 0–998, so that two of its calls often share one. The ingest path then identifies such
/// a call by its content instead.
/// </summary>
public static class CallIds
{
    public static string? Identity(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > UsageLimits.MaxLabelLength || RecordChecks.HasControl(id)) return null;
        return FewDigits(id) ? null : id;
    }

    /// <summary>chatcmpl- or cmpl- and one to three digits, nothing else: the ids Ollama's /v1 endpoint makes up.</summary>
    private static bool FewDigits(string id)
    {
        var digits = id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? id.AsSpan(9)
            : id.StartsWith("cmpl-", StringComparison.Ordinal) ? id.AsSpan(5) : default;
        return digits.Length is >= 1 and <= 3 && digits.IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
