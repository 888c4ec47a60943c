using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>The Grafana reader role after V0003: it reads the rollups and the dashboards' functions, runs without JIT, and
/// can neither make partitions nor rebuild the rollups.</summary>
public sealed class ReaderRoleRollupTests
{
    [Fact]
    public async Task The_reader_reads_rollups_and_cells_without_jit_and_cannot_change_them()
    {
        var role = $"grafana_{Guid.NewGuid():N}"[..20];
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false", $"grafana:\n  reader_role: {role}\n  reader_password: ${{GRAFANA_READER_PASSWORD}}",
            new Dictionary<string, string> { ["GRAFANA_READER_PASSWORD"] = "pw-for-reader" });
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(instance.ConnectionString) { Username = role, Password = "pw-for-reader", Pooling = false }.ConnectionString);
        await connection.OpenAsync();

        (await connection.ExecuteScalarAsync<string>("SHOW jit")).ShouldBe("off");
        foreach (var table in RollupState.Tables.Append("retention_horizon"))
            (await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM telemetry.{table}")).ShouldBe(0, table);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.usage_cells_by_model(now() - interval '400 days', now(), 0, NULL, NULL, NULL, NULL, NULL)")).ShouldBe(0);
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.usage_cells(now() - interval '1 day', now(), 3600000, NULL, NULL, NULL, NULL, NULL)")).ShouldBe(0);
        foreach (var call in (string[])["SELECT telemetry.usage_rollups_rebuild()", "SELECT telemetry.token_usage_partition(now() + interval '5 years')", "DELETE FROM telemetry.usage_dims", "TRUNCATE telemetry.usage_daily"])
            (await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync(call))).SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, call);
    }
}
