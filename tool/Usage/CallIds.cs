using System.Text.RegularExpressions;

namespace TokenTelemetry.Usage;

/// <summary>
/// Whether an id a payload or log envelope carries can identify one call (UsageTelemetry.CallId). Not an identity:
/// an empty id, one with control characters or over 512 characters, and a word prefix followed by fewer than six
/// digits only — Ollama's OpenAI-compatible endpoint draws chatcmpl-N from 999 values, so two calls often share one.
/// The ingest path then identifies such a call by its content instead.
/// </summary>
public static partial class CallIds
{
    [GeneratedRegex(@"^[A-Za-z]*[-_]?\d{1,5}$")]
    private static partial Regex FewDigits();

    public static string? Identity(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > UsageLimits.MaxLabelLength) return null;
        foreach (var c in id)
            if (char.IsControl(c)) return null;
        return FewDigits().IsMatch(id) ? null : id;
    }
}
