using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace TokenTelemetry.Configuration;

/// <summary>
/// Binds a YamlDotNet node tree onto the config records, strictly: an unknown key, a wrong type or an unset
/// ${VAR} becomes a <see cref="ConfigProblem"/> with its YAML path and line, and binding carries on so that
/// every problem is reported at once. (YamlDotNet's own deserializer stops at the first error.)
/// </summary>
internal sealed class YamlBinder(EnvironmentExpander expander)
{
    public List<ConfigProblem> Problems { get; } = [];
    /// <summary>Unset variables, kept apart so that those of disabled sources can be forgiven.</summary>
    public List<ConfigProblem> MissingVariables { get; } = [];
    /// <summary>Path → the raw scalar as written (before expansion), for the literal-secret check.</summary>
    public Dictionary<string, string> RawScalars { get; } = new(StringComparer.Ordinal);
    /// <summary>Path → line, so that later validation can name the line too.</summary>
    public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

    public T Bind<T>(YamlNode? root) where T : new() =>
        root is null ? new T() : (T)(BindObject(root, typeof(T), "") ?? new T());

    private object? Bind(YamlNode node, Type type, string path)
    {
        Lines[path] = Line(node);
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (node is YamlScalarNode blank && type == typeof(bool) && IsEmptySwitch(blank))
        {
            // A switch left empty (or set to an empty ${VAR:-}) would silently mean false: say so instead.
            Problems.Add(new ConfigProblem(path, Line(node), "is empty: write true or false (or yes/no, on/off, 1/0)"));
            return null;
        }
        if (node is YamlScalarNode scalar) return BindScalar(scalar, underlying, path);
        if (IsGeneric(underlying, typeof(List<>))) return BindList(node, underlying, path);
        if (IsGeneric(underlying, typeof(Dictionary<,>))) return BindDictionary(node, underlying, path);
        if (IsRecord(underlying)) return BindObject(node, underlying, path);
        Problems.Add(new ConfigProblem(path, Line(node), $"expected {Describe(underlying)}, found a {(node is YamlMappingNode ? "mapping" : "list")}"));
        return null;
    }

    /// <summary>Empty as written, or empty once expanded from variables that are all set (an unset one is its own problem).</summary>
    private bool IsEmptySwitch(YamlScalarNode node)
    {
        if (IsNull(node)) return true;
        var missing = new List<string>();
        return expander.Expand(node.Value ?? "", missing).Length == 0 && missing.Count == 0;
    }

    private object? BindObject(YamlNode node, Type type, string path)
    {
        if (node is YamlScalarNode s && IsNull(s)) return null;
        if (node is not YamlMappingNode mapping)
        {
            Problems.Add(new ConfigProblem(Display(path), Line(node), "expected a mapping of keys"));
            return null;
        }
        var instance = Activator.CreateInstance(type)!;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(ToSnakeCaseKey, StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                var known = string.Join(", ", properties.Keys.Order(StringComparer.Ordinal));
                Problems.Add(new ConfigProblem(childPath, Line(keyNode), $"unknown key '{key}' (known keys here: {known})"));
                continue;
            }
            var value = Bind(valueNode, property.PropertyType, childPath);
            if (value is not null || IsNullable(property)) property.SetValue(instance, value);
        }
        return instance;
    }

    private object? BindList(YamlNode node, Type type, string path)
    {
        var itemType = type.GetGenericArguments()[0];
        if (node is YamlMappingNode && itemType.IsDefined(typeof(OneOrManyAttribute), inherit: false))
        {
            var single = (IList)Activator.CreateInstance(type)!;
            if (Bind(node, itemType, path) is { } one) single.Add(one);
            return single;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Problems.Add(new ConfigProblem(path, Line(node), "expected a list"));
            return null;
        }
        var list = (IList)Activator.CreateInstance(type)!;
        var index = 0;
        foreach (var item in sequence.Children)
        {
            var value = Bind(item, itemType, $"{path}[{index++}]");
            if (value is not null) list.Add(value);
        }
        return list;
    }

    private object? BindDictionary(YamlNode node, Type type, string path)
    {
        if (node is YamlScalarNode s && IsNull(s)) return null;
        if (node is not YamlMappingNode mapping)
        {
            Problems.Add(new ConfigProblem(path, Line(node), "expected a mapping"));
            return null;
        }
        var valueType = type.GetGenericArguments()[1];
        var dictionary = (IDictionary)Activator.CreateInstance(type)!;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var value = Bind(valueNode, valueType, $"{path}.{key}");
            if (value is not null) dictionary[key] = value;
        }
        return dictionary;
    }

    private object? BindScalar(YamlScalarNode node, Type type, string path)
    {
        if (IsRecord(type) || IsGeneric(type, typeof(List<>)) || IsGeneric(type, typeof(Dictionary<,>)))
        {
            if (IsNull(node)) return null;
            Problems.Add(new ConfigProblem(path, Line(node), $"expected {Describe(type)}, found '{node.Value}'"));
            return null;
        }
        var raw = node.Value ?? "";
        RawScalars[path] = raw;
        var missing = new List<string>();
        var text = expander.Expand(raw, missing);
        foreach (var name in missing)
            MissingVariables.Add(new ConfigProblem(path, Line(node), $"environment variable {name} is not set (set it in the environment or the instance's .env, or write ${{{name}:-default}})"));
        if (missing.Count > 0) return null;
        if (IsNull(node) || (text.Length == 0 && type != typeof(string))) return null;
        if (TryConvert(text, type, out var value)) return value;
        Problems.Add(new ConfigProblem(path, Line(node), $"'{text}' is not {Describe(type)}"));
        return null;
    }

    private static bool TryConvert(string text, Type type, out object? value)
    {
        var inv = CultureInfo.InvariantCulture;
        value = null;
        if (type == typeof(string)) value = text;
        else if (type == typeof(int) && int.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var i)) value = i;
        else if (type == typeof(long) && long.TryParse(text, NumberStyles.AllowLeadingSign, inv, out var l)) value = l;
        else if (type == typeof(decimal) && decimal.TryParse(text, NumberStyles.Float, inv, out var m)) value = m;
        else if (type == typeof(bool) && TryParseBool(text, out var b)) value = b;
        else if (type == typeof(TimeSpan) && Durations.TryParse(text, out var t)) value = t;
        else if (type == typeof(DateOnly) && DateOnly.TryParseExact(text, "yyyy-MM-dd", inv, DateTimeStyles.None, out var d)) value = d;
        else if (type.IsEnum) value = ParseEnum(text, type);
        return value is not null;
    }

    /// <summary>YAML 1.2 says true/false, but people (and YAML 1.1 parsers, Ansible, docker-compose) also write
    /// yes/no, on/off and 1/0: each means what it says, and anything else is an error — never a silent false.</summary>
    private static bool TryParseBool(string text, out bool value)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "on" or "1": value = true; return true;
            case "false" or "no" or "off" or "0": value = false; return true;
            default: value = false; return false;
        }
    }

    private static object? ParseEnum(string text, Type type)
    {
        var wanted = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, wanted, StringComparison.OrdinalIgnoreCase));
        return name is null ? null : Enum.Parse(type, name);
    }

    private static string Describe(Type type) =>
        type == typeof(string) ? "text"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(decimal) ? "a number"
        : type == typeof(bool) ? "true or false (yes/no, on/off and 1/0 also do)"
        : type == typeof(TimeSpan) ? "a duration like 15m, 1h or 1d"
        : type == typeof(DateOnly) ? "a date like 2026-01-31"
        : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type).Select(SnakeOrKebab))
        : IsGeneric(type, typeof(List<>)) ? "a list"
        : "a mapping of keys";

    private static string SnakeOrKebab(string name) => ToSnakeCase(name).Replace('_', '-');

    /// <summary>The YAML key of a property: its [YamlMember(Alias)] or the snake_case of its name.</summary>
    internal static string ToSnakeCaseKey(PropertyInfo property) =>
        property.GetCustomAttribute<YamlMemberAttribute>()?.Alias ?? ToSnakeCase(property.Name);

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    private static bool IsNull(YamlScalarNode node) =>
        node.Style == YamlDotNet.Core.ScalarStyle.Plain && node.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private static bool IsNullable(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;

    private static bool IsGeneric(Type type, Type definition) => type.IsGenericType && type.GetGenericTypeDefinition() == definition;

    private static bool IsRecord(Type type) => type.IsClass && type != typeof(string) && !type.IsGenericType;

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static string Display(string path) => path.Length == 0 ? "(top level)" : path;
}
