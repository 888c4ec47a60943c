using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>
/// Expands <c>${VAR}</c> and <c>${VAR:-default}</c> (default when unset or empty, as in a shell);
/// <c>$${</c> is a literal <c>${</c>. The process environment wins over the instance's .env.
/// </summary>
public sealed partial class EnvironmentExpander(IReadOnlyDictionary<string, string> dotEnv, Func<string, string?>? environment = null)
{
    private readonly Func<string, string?> _environment = environment ?? Invocation.Current.Variable;

    [GeneratedRegex(@"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}")]
    private static partial Regex Reference();

    public static bool HasReference(string value) => Reference().IsMatch(value);

    /// <summary>Expands every reference; names of unset variables without a default go to <paramref name="missing"/>.</summary>
    public string Expand(string value, List<string> missing) =>
        Reference().Replace(value, match =>
        {
            if (match.Value == "$${") return "${";
            var name = match.Groups[1].Value;
            var found = Lookup(name);
            if (!string.IsNullOrEmpty(found)) return found;
            if (match.Groups[2].Success) return match.Groups[3].Value;
            missing.Add(name);
            return "";
        });

    private string? Lookup(string name) => _environment(name) ?? dotEnv.GetValueOrDefault(name);
}
