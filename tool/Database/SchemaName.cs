using TokenTelemetry.Configuration;

namespace TokenTelemetry.Database;

/// <summary>A validated schema identifier. SQL only ever sees <see cref="Quoted"/>, never raw config text.</summary>
public sealed record SchemaName
{
    public string Name { get; }
    public string Quoted => $"\"{Name}\"";

    public SchemaName(string name)
    {
        if (!ConfigValidator.IsIdentifier(name))
            throw new TelemetryException($"'{name}' is not a valid schema name", ConfigValidator.IdentifierRule);
        Name = name;
    }

    public override string ToString() => Name;
}
