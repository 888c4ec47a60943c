using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

public sealed class ReaderRoleTests
{
    [Fact]
    public async Task Migrate_creates_a_login_role_that_can_read_the_schema_and_cannot_write()
    {
        var role = $"grafana_{Guid.NewGuid():N}"[..20];
        using var instance = await CliInstance.CreateAsync("subscriptions:\n  enabled: false", $"grafana:\n  reader_role: {role}\n  reader_password: ${{GRAFANA_READER_PASSWORD}}",
            new Dictionary<string, string> { ["GRAFANA_READER_PASSWORD"] = "it's-a-secret" });
        var result = await instance.RunAsync("migrate");
        result.ExitCode.ShouldBe(0, result.Stderr);
        result.Stderr.ShouldNotContain("it's-a-secret");

        var reader = new NpgsqlConnectionStringBuilder(instance.ConnectionString) { Username = role, Password = "it's-a-secret", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(reader);
        await connection.OpenAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry.token_usage")).ShouldBe(0);
        var refused = await Should.ThrowAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM telemetry.watchdog_status"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);

        (await instance.RunAsync("migrate")).ExitCode.ShouldBe(0); // idempotent: the role exists and is updated
    }
}
