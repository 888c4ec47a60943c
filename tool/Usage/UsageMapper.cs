using System.Text.Json;

namespace TokenTelemetry.Usage;

/// <summary>
/// One provider route family. <see cref="Observe"/> classifies a payload of the route (and picks out the element
/// that holds its usage); <see cref="MapUsage"/> turns such an element — or the merge of a stream's elements —
/// into canonical metrics. docs/providers.md documents every field each mapper reads.
/// </summary>
public abstract class UsageMapper
{
    /// <summary>The --format name, e.g. anthropic.messages.</summary>
    public abstract string Route { get; }
    public abstract string Provider { get; }
    /// <summary>Bumped whenever the mapping of an existing field changes, and recorded with every row.</summary>
    public virtual int Version => 1;
    public string Name => $"{Route}@{Version}";
    /// <summary>Mappers of one wire format share a family, so a stream whose last chunk reveals a more specific
    /// route (DeepSeek's cache fields, OpenRouter's cost) is still one stream.</summary>
    public virtual string Family => Route;

    public abstract Observation Observe(JsonElement payload);

    /// <summary>Canonical metrics from a usage element this mapper's <see cref="Observe"/> picked out.</summary>
    public abstract UsageTelemetry MapUsage(JsonElement usage);
}
