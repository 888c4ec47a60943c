using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>Finds secrets written literally in config.yaml, which belong in the environment or .env.</summary>
public static partial class SecretCheck
{
    private static readonly HashSet<string> SecretKeys = ["password", "admin_key", "token", "bearer_token", "reader_password", "api_key", "secret"];

    [GeneratedRegex(@"://[^/@:]+:[^/@]+@")]
    private static partial Regex UrlWithPassword();

    public static IEnumerable<string> Warnings(IReadOnlyDictionary<string, string> rawScalars)
    {
        foreach (var (path, raw) in rawScalars)
        {
            if (raw.Length == 0 || EnvironmentExpander.HasReference(raw)) continue;
            var key = path[(path.LastIndexOf('.') + 1)..];
            if (SecretKeys.Contains(key))
                yield return $"{path} is written literally in config.yaml; put it in the instance's .env and write ${{VARIABLE}} instead";
            else if (key == "url" && UrlWithPassword().IsMatch(raw))
                yield return $"{path} contains a password written literally; put it in postgres.password as ${{TT_PG_PASSWORD}}";
        }
    }
}
