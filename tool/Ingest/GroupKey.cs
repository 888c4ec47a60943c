namespace TokenTelemetry.Ingest;

/// <summary>The conflict key of a token_usage row (DESIGN §3): NULL user/project compare equal, as in the database.</summary>
public readonly record struct GroupKey(string SourceSystem, string ModelId, DateTimeOffset Start, DateTimeOffset End, string? UserId, string? ProjectId)
{
    public override string ToString() =>
        $"source_system {SourceSystem}, model {ModelId}, window {Start:u} → {End:u}, user {UserId ?? "(org)"}, project {ProjectId ?? "(none)"}";
}
