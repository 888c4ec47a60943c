namespace TokenTelemetry.Usage;

/// <summary>
/// Whether an id a payload or log envelope carries can identify one call (UsageTelemetry.CallId). Not an identity:
/// an empty id, one with control characters or over 512 characters, and a word prefix followed by fewer than six
/// digits only — Ollama's OpenAI-compatible endpoint draws chatcmpl-N from 999 values, so two calls often share one.
/// The ingest path then identifies such a call by its content instead.
/// </summary>
public static class CallIds
{
    public static string? Identity(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > UsageLimits.MaxLabelLength || RecordChecks.HasControl(id)) return null;
        return FewDigits(id) ? null : id;
    }

    /// <summary>Letters, an optional - or _, then one to five digits and nothing else (chatcmpl-123, cmpl-7, 42).</summary>
    private static bool FewDigits(string id)
    {
        var i = 0;
        while (i < id.Length && char.IsAsciiLetter(id[i])) i++;
        if (i < id.Length && id[i] is '-' or '_') i++;
        var digits = id.Length - i;
        return digits is >= 1 and <= 5 && id.AsSpan(i).IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
