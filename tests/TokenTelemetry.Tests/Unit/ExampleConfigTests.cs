using System.Reflection;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

/// <summary>instances/example/config.yaml must document every key the config records accept (DESIGN §6).</summary>
public sealed class ExampleConfigTests
{
    [Fact]
    public void The_reference_config_mentions_every_key_and_loads()
    {
        var path = Path.Combine(RepoPaths.Root, "instances", "example", "config.yaml");
        var text = File.ReadAllText(path);
        var missing = Keys(typeof(InstanceConfig)).Where(k => !text.Contains($" {k}:", StringComparison.Ordinal) && !text.Contains($"\n{k}:", StringComparison.Ordinal)).ToList();
        missing.ShouldBeEmpty();
        var config = ConfigLoader.Load(path, environment: _ => "set").Config;
        config.Sources.Enabled().Select(s => s.Name).ShouldBe(["litellm", "openai", "anthropic"]);
    }

    private static IEnumerable<string> Keys(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            yield return YamlBinder.ToSnakeCaseKey(property);
            var inner = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (inner.IsGenericType) inner = inner.GetGenericArguments().Last();
            if (inner.IsClass && inner != typeof(string) && inner.Namespace == typeof(InstanceConfig).Namespace)
                foreach (var key in Keys(inner)) yield return key;
        }
    }
}
