using Dapper;
using Npgsql;
using NpgsqlTypes;
using TokenTelemetry.Model;

namespace TokenTelemetry.Database;

/// <summary>
/// call_ledger (V0002): which call identities each row of a file-fed source counts. All of it runs inside the
/// ingest's one transaction, after <see cref="LockAsync"/>: the check "is this call counted?" and the write that
/// counts it are atomic against every other import or file-source collect of the schema.
/// </summary>
public sealed class CallLedgerStore(SchemaName schema)
{
    /// <summary>A ledger entry with the row it belongs to.</summary>
    public sealed record Entry(long UsageId, string Kind, byte[] CallIds, TokenUsageRow Row);

    /// <summary>An entry to write: the row's key, its kind, identities, and whether they replace the stored ones.</summary>
    public sealed record Write(TokenUsageRow Row, string Kind, byte[] CallIds, bool Replace);

    /// <summary>Entries reach back at most this far before a span (the longest window is a month).</summary>
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(32);

    private string S => schema.Quoted;

    /// <summary>Takes the schema's ingest lock for the rest of the transaction (a row lock: the read-only Grafana role
    /// cannot take it). Waits, saying so, when another ingest holds it — at most <paramref name="wait"/> when given,
    /// then fails in one line.</summary>
    public async Task LockAsync(NpgsqlTransaction tx, TimeSpan? wait, Action<string>? progress, CancellationToken ct)
    {
        var c = tx.Connection!;
        await c.ExecuteAsync(new CommandDefinition($"INSERT INTO {S}.collector_lock (name) VALUES ('ingest') ON CONFLICT DO NOTHING", transaction: tx, cancellationToken: ct));
        var got = await c.ExecuteScalarAsync<string?>(new CommandDefinition(
            $"SELECT name FROM {S}.collector_lock WHERE name = 'ingest' FOR UPDATE SKIP LOCKED", transaction: tx, cancellationToken: ct));
        if (got is not null) return;
        progress?.Invoke("waiting for another import or file-source collect of this schema to finish (it holds the ingest lock)");
        if (wait is { } limit)
            await c.ExecuteAsync(new CommandDefinition("SELECT set_config('lock_timeout', @ms, true)",
                new { ms = $"{(long)limit.TotalMilliseconds}ms" }, tx, cancellationToken: ct));
        try
        {
            await c.ExecuteAsync(new CommandDefinition($"SELECT name FROM {S}.collector_lock WHERE name = 'ingest' FOR UPDATE", transaction: tx, cancellationToken: ct));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            throw new TelemetryException($"another import or file-source collect of schema {schema.Name} has held the ingest lock for more than {wait}; nothing was read",
                "it is still running (a very large import?) or stuck: see pg_stat_activity for a backend idle in transaction on collector_lock");
        }
        if (wait is not null)
            await c.ExecuteAsync(new CommandDefinition("SELECT set_config('lock_timeout', '0', true)", transaction: tx, cancellationToken: ct));
    }

    /// <summary>Every entry whose window overlaps [from, to), with its row (synchronous: the normalizer's sink calls it
    /// as it meets new days). Entries whose row is gone are left out: they count nothing.</summary>
    public List<Entry> Load(NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to)
    {
        using var command = new NpgsqlCommand($"""
            SELECT l.usage_id, l.kind, l.call_ids, {UsageReader.Columns("t")}
            FROM {S}.call_ledger l JOIN {S}.token_usage t ON t.id = l.usage_id
            WHERE l.window_start >= @lowest AND l.window_start < @to AND l.window_end > @from
            """, tx.Connection, tx);
        command.Parameters.AddWithValue("lowest", (from - LongestWindow).UtcDateTime);
        command.Parameters.AddWithValue("from", from.UtcDateTime);
        command.Parameters.AddWithValue("to", to.UtcDateTime);
        using var reader = command.ExecuteReader();
        var entries = new List<Entry>();
        while (reader.Read())
            entries.Add(new Entry(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), UsageReader.Map(reader, 3)));
        return entries;
    }

    /// <summary>Stored rows at these keys that have no ledger entry: rows written before V0002, or by another source.</summary>
    public async Task<IReadOnlyList<TokenUsageRow>> UnledgeredAsync(NpgsqlTransaction tx, IReadOnlyList<TokenUsageRow> keys, CancellationToken ct)
    {
        if (keys.Count == 0) return [];
        await using var command = new NpgsqlCommand($"""
            SELECT {UsageReader.Columns("t")}
            FROM unnest(@sources, @models, @starts, @ends, @users, @projects) AS k(source_system, model_id, window_start, window_end, user_id, project_id)
            JOIN {S}.token_usage t ON t.source_system = k.source_system AND t.model_id = k.model_id AND t.window_start = k.window_start
              AND t.window_end = k.window_end AND t.user_id IS NOT DISTINCT FROM k.user_id AND t.project_id IS NOT DISTINCT FROM k.project_id
            WHERE NOT EXISTS (SELECT 1 FROM {S}.call_ledger l WHERE l.usage_id = t.id)
            """, tx.Connection, tx);
        AddKeys(command, keys);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<TokenUsageRow>();
        while (await reader.ReadAsync(ct)) rows.Add(UsageReader.Map(reader, 0));
        return rows;
    }

    /// <summary>Writes entries for rows already upserted in this transaction: replaced, or appended to.</summary>
    public async Task WriteAsync(NpgsqlTransaction tx, IReadOnlyList<Write> writes, CancellationToken ct)
    {
        if (writes.Count == 0) return;
        var c = tx.Connection!;
        await c.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE IF NOT EXISTS tt_ledger_stage (
                source_system text, model_id text, window_start timestamptz, window_end timestamptz, user_id text, project_id text,
                kind text, call_ids bytea, replace boolean) ON COMMIT DELETE ROWS
            """, transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("TRUNCATE tt_ledger_stage", transaction: tx, cancellationToken: ct));
        await using (var importer = await c.BeginBinaryImportAsync(
            "COPY tt_ledger_stage (source_system, model_id, window_start, window_end, user_id, project_id, kind, call_ids, replace) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var w in writes)
            {
                importer.StartRow();
                importer.Write(w.Row.SourceSystem, NpgsqlDbType.Text);
                importer.Write(w.Row.ModelId, NpgsqlDbType.Text);
                importer.Write(w.Row.WindowStart.UtcDateTime, NpgsqlDbType.TimestampTz);
                importer.Write(w.Row.WindowEnd.UtcDateTime, NpgsqlDbType.TimestampTz);
                if (w.Row.UserId is { } user) importer.Write(user, NpgsqlDbType.Text); else importer.WriteNull();
                if (w.Row.ProjectId is { } project) importer.Write(project, NpgsqlDbType.Text); else importer.WriteNull();
                importer.Write(w.Kind, NpgsqlDbType.Text);
                importer.Write(w.CallIds, NpgsqlDbType.Bytea);
                importer.Write(w.Replace, NpgsqlDbType.Boolean);
            }
            await importer.CompleteAsync(ct);
        }
        const string join = """
            FROM tt_ledger_stage st JOIN {0}.token_usage t ON t.source_system = st.source_system AND t.model_id = st.model_id
              AND t.window_start = st.window_start AND t.window_end = st.window_end
              AND t.user_id IS NOT DISTINCT FROM st.user_id AND t.project_id IS NOT DISTINCT FROM st.project_id
            """;
        var from = string.Format(System.Globalization.CultureInfo.InvariantCulture, join, S);
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {S}.call_ledger AS l (usage_id, window_start, window_end, kind, call_ids)
            SELECT t.id, t.window_start, t.window_end, st.kind, st.call_ids {from} WHERE st.replace
            ON CONFLICT (usage_id) DO UPDATE SET kind = EXCLUDED.kind, call_ids = EXCLUDED.call_ids,
                window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, updated_at = now();
            INSERT INTO {S}.call_ledger AS l (usage_id, window_start, window_end, kind, call_ids)
            SELECT t.id, t.window_start, t.window_end, st.kind, st.call_ids {from} WHERE NOT st.replace
            ON CONFLICT (usage_id) DO UPDATE SET call_ids = l.call_ids || EXCLUDED.call_ids, updated_at = now();
            """, transaction: tx, cancellationToken: ct));
    }

    /// <summary>Entries in [from, to) whose row is gone (deleted by hand, say): they would only mislead `verify`.</summary>
    public Task<int> DeleteOrphansAsync(NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition($"""
            DELETE FROM {S}.call_ledger l
            WHERE l.window_start >= @lowest AND l.window_start < @to AND l.window_end > @from
              AND NOT EXISTS (SELECT 1 FROM {S}.token_usage t WHERE t.id = l.usage_id)
            """, new { lowest = (from - LongestWindow).UtcDateTime, from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>A snapshot of aggregate rows (the manual source): every row that one of <paramref name="files"/> produced
    /// before (raw_usage.file) and that this transaction did not write goes, with its entry — a row removed from a file,
    /// or moved to another day, whatever day it was on. Rows of files not read now (rotated away) stay. Rows from
    /// before file provenance (no raw_usage.file) are judged by the older rule: the source's rows in [from, to).
    /// Rows that sum counted calls are never touched. Returns how many rows went.</summary>
    public Task<int> DeleteUnproducedRowsAsync(NpgsqlTransaction tx, string sourceSystem, IReadOnlyList<string> files,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition($"""
            WITH produced AS (
                DELETE FROM {S}.token_usage t USING {S}.call_ledger l
                WHERE l.kind = 'row' AND l.usage_id = t.id AND t.updated_at < now() AND t.raw_usage->>'file' = ANY(@files)
                RETURNING t.id),
            legacy AS (
                DELETE FROM {S}.token_usage t
                WHERE t.source_system = @sourceSystem AND t.window_start >= @from AND t.window_start < @to AND t.updated_at < now()
                  AND t.raw_usage->>'file' IS NULL
                  AND NOT EXISTS (SELECT 1 FROM {S}.call_ledger l WHERE l.usage_id = t.id AND l.kind = 'calls')
                RETURNING t.id),
            ledger AS (DELETE FROM {S}.call_ledger WHERE usage_id IN (SELECT id FROM produced UNION ALL SELECT id FROM legacy))
            SELECT (SELECT count(*) FROM produced)::int + (SELECT count(*) FROM legacy)::int
            """, new { sourceSystem, files = files.ToArray(), from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>Retention: the entries of the rows whose windows start in [from, to) — a month about to be dropped — go
    /// with them (matched by row id, whatever window an entry records).</summary>
    public Task<int> DeleteEntriesOfRowsAsync(NpgsqlTransaction tx, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition($"""
            DELETE FROM {S}.call_ledger l USING {S}.token_usage t
            WHERE t.window_start >= @from AND t.window_start < @to AND t.id = l.usage_id
            """, new { from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));

    private static void AddKeys(NpgsqlCommand command, IReadOnlyList<TokenUsageRow> keys)
    {
        command.Parameters.AddWithValue("sources", keys.Select(k => k.SourceSystem).ToArray());
        command.Parameters.AddWithValue("models", keys.Select(k => k.ModelId).ToArray());
        command.Parameters.AddWithValue("starts", keys.Select(k => k.WindowStart.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("ends", keys.Select(k => k.WindowEnd.UtcDateTime).ToArray());
        command.Parameters.Add(new NpgsqlParameter("users", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Select(k => k.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("projects", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.Select(k => k.ProjectId).ToArray() });
    }
}
