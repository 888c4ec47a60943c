namespace TokenTelemetry.Configuration;

/// <summary>
/// Marks a config record that may be written either as one mapping or as a list of them where a list is expected
/// (pricing.overrides.&lt;model&gt;: one set of rates, or several dated ones). Opt-in, so that elsewhere a mapping
/// given where a list belongs stays an error.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OneOrManyAttribute : Attribute;
