using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>False when a stream's later events name no stream (Anthropic message_delta / message_stop, Bedrock
    /// metadata, Ollama chunks): interleaved streams of such a route cannot be told apart (see StreamAssembler).</summary>
    public virtual bool StreamEventsCarryId => true;

    /// <summary>True when a stream's events each repeat the whole usage so far (Claude Code's one line per content
    /// block): the largest one is the call's, whatever order the lines come in.</summary>
    public virtual bool KeepLargestUsage => false;

    /// <summary>The size <see cref="KeepLargestUsage"/> compares: the sum of the element's token counts.</summary>
    public virtual long UsageSize(JsonElement usage) => 0;

    /// <summary>Removes what a stream's first event says only provisionally (Anthropic message_start's output_tokens),
    /// for a stream whose final usage never arrived or cannot be told apart: those metrics are then NULL, never a
    /// placeholder.</summary>
    public virtual void DropProvisional(JsonObject startUsage) { }

    public abstract Observation Observe(JsonElement payload);

    /// <summary>Canonical metrics from a usage element this mapper's <see cref="Observe"/> picked out.</summary>
    public abstract UsageTelemetry MapUsage(JsonElement usage);
}
