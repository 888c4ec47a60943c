using Dapper;
using Npgsql;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Database;

/// <summary>
/// price_snapshot and price_entry (V0004): the table and rules a row's price_snapshot names, and the table entries
/// that priced something, so that a cost can be explained — and priced again the same way — after the table moved on.
/// </summary>
public sealed class PriceSnapshotStore(SchemaName schema)
{
    /// <summary>A recorded snapshot: how its table was loaded, its hash, its rules (canonical JSON) and stored entries.</summary>
    public sealed record Snapshot(string Id, string TableSource, string TableSha256, string Rules, IReadOnlyList<(string Key, string Entry)> Entries);

    private string S => schema.Quoted;

    /// <summary>Records the rules' snapshot (or marks it used) and the table entries the pricer has used so far.</summary>
    public async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, PricingRules rules, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {S}.price_snapshot (id, table_source, table_sha256, rules) VALUES (@id, @source, @sha, @rules::jsonb)
            ON CONFLICT (id) DO UPDATE SET last_used_at = now()
            """, new { id = rules.SnapshotId, source = rules.Table.Source, sha = rules.Table.Sha256, rules = rules.RulesJson }, tx, cancellationToken: ct));
        var entries = rules.UsedEntries.ToList();
        if (entries.Count == 0) return;
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {S}.price_entry (table_sha256, price_key, entry)
            SELECT @sha, k, e::jsonb FROM unnest(@keys, @entries) AS x(k, e)
            ON CONFLICT (table_sha256, price_key) DO NOTHING
            """, new { sha = rules.Table.Sha256, keys = entries.Select(e => e.Key).ToArray(), entries = entries.Select(PriceEntryJson.Write).ToArray() },
            tx, cancellationToken: ct));
    }

    /// <summary>The snapshot with its stored entries for <paramref name="keys"/>; null when it was never recorded.</summary>
    public async Task<Snapshot?> LoadAsync(NpgsqlConnection connection, string id, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var head = await connection.QuerySingleOrDefaultAsync<(string Source, string Sha, string Rules)?>(new CommandDefinition(
            $"SELECT table_source, table_sha256, rules::text FROM {S}.price_snapshot WHERE id = @id", new { id }, cancellationToken: ct));
        if (head is not { } h) return null;
        var entries = await connection.QueryAsync<(string, string)>(new CommandDefinition(
            $"SELECT price_key, entry::text FROM {S}.price_entry WHERE table_sha256 = @sha AND price_key = ANY(@keys) ORDER BY price_key",
            new { sha = h.Sha, keys = keys.ToArray() }, cancellationToken: ct));
        return new Snapshot(id, h.Source, h.Sha, h.Rules, entries.ToList());
    }
}
