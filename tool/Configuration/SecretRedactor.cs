using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Configuration;

/// <summary>
/// The one place secrets are taken out of text that leaves the process or is stored (the console, watchdog_status,
/// HTTP error messages): every configured credential — the value of each secret key (<see cref="SecretCheck.IsSecretKey"/>:
/// passwords, admin keys, tokens), the password of any URL written with credentials, a basic-auth pair in its header
/// form — becomes <see cref="Mask"/>, also where a provider or Grafana echoes it back in a response body.
/// Values shorter than <see cref="MinimumLength"/> are left alone: masking every "ab" would garble all text, and such
/// a value protects nothing anyway.
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "[redacted]";
    public const int MinimumLength = 4;

    public static readonly SecretRedactor None = new([]);

    private readonly string[] _secrets;

    private SecretRedactor(IEnumerable<string> secrets) =>
        // Longest first, so a secret containing another is masked whole.
        _secrets = secrets.Where(s => s.Length >= MinimumLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();

    [GeneratedRegex(@"(?<=://)[^/@\s]*@")]
    private static partial Regex UserInfo();

    /// <summary>Every credential of a loaded config.</summary>
    public static SecretRedactor For(InstanceConfig config)
    {
        var found = new List<string>();
        Collect(config, found);
        return new SecretRedactor(found.SelectMany(Forms));
    }

    /// <summary>This one plus secrets the tool reads outside the config (e.g. GRAFANA_READER_PASSWORD at push time).</summary>
    public SecretRedactor With(params string?[] secrets) =>
        new(_secrets.Concat(secrets.OfType<string>().SelectMany(Forms)));

    public string Redact(string text)
    {
        if (_secrets.Length == 0 || text.Length == 0) return text;
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>A URL as it may be shown: without user and password.</summary>
    public static string WithoutCredentials(string url) => UserInfo().Replace(url, "");

    /// <summary>The shapes a value takes when echoed: as written, URL-encoded, URL-decoded.</summary>
    private static IEnumerable<string> Forms(string secret)
    {
        yield return secret;
        yield return Uri.EscapeDataString(secret);
        yield return Uri.UnescapeDataString(secret);
    }

    private static void Collect(object node, List<string> found)
    {
        string? user = null, password = null;
        foreach (var property in node.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanWrite) continue;
            var key = YamlBinder.ToSnakeCaseKey(property);
            switch (property.GetValue(node))
            {
                case string s when SecretCheck.IsSecretKey(key):
                    found.Add(s);
                    if (key == "password") password = s;
                    break;
                case string s:
                    UrlPassword(s, found);
                    if (key == "username") user = s;
                    break;
                case IDictionary dictionary:
                    foreach (var value in dictionary.Values) Visit(value, found);
                    break;
                case IEnumerable list:
                    foreach (var item in list) Visit(item, found);
                    break;
                case { } child when IsConfigRecord(child.GetType()):
                    Collect(child, found);
                    break;
            }
        }
        if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
            found.Add(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))); // Authorization: Basic …
    }

    private static void Visit(object? value, List<string> found)
    {
        if (value is string s) UrlPassword(s, found);
        else if (value is not null && IsConfigRecord(value.GetType())) Collect(value, found);
    }

    private static void UrlPassword(string value, List<string> found)
    {
        if (!value.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(value, UriKind.Absolute, out var uri)) return;
        var colon = uri.UserInfo.IndexOf(':');
        if (colon >= 0 && colon < uri.UserInfo.Length - 1) found.Add(uri.UserInfo[(colon + 1)..]);
    }

    private static bool IsConfigRecord(Type type) =>
        type.IsClass && type != typeof(string) && type.Namespace == typeof(InstanceConfig).Namespace;
}
