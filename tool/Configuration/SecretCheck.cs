using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>Finds secrets written literally in config.yaml, which belong in the environment or .env, and a .env other
/// users can read.</summary>
public static partial class SecretCheck
{
    private static readonly HashSet<string> SecretKeys = ["password", "admin_key", "token", "bearer_token", "reader_password", "api_key", "secret"];

    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>Config keys whose values are credentials (the values <see cref="SecretRedactor"/> takes out of messages).</summary>
    public static bool IsSecretKey(string key) => SecretKeys.Contains(key);

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

    /// <summary>A warning when the instance's .env (which holds its secrets) can be read or changed by other users.</summary>
    public static string? DotEnvWarning(string envPath)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(envPath)) return null;
        var mode = File.GetUnixFileMode(envPath);
        if ((mode & Others) == 0) return null;
        var what = (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0 ? "read" : "changed";
        return $"{envPath} can be {what} by other users (mode {Convert.ToString((int)mode & 0x1FF, 8)}) and holds secrets (chmod 600 {envPath})";
    }
}
