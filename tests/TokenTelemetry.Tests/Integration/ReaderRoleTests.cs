using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Database;
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

        // The server stores the verifier migrate computed (never the secret), and it checks the password.
        await using (var admin = new NpgsqlConnection(instance.ConnectionString))
            (await admin.ExecuteScalarAsync<string>("SELECT rolpassword FROM pg_authid WHERE rolname = @role", new { role })).ShouldStartWith("SCRAM-SHA-256$4096:");
        var wrong = new NpgsqlConnectionStringBuilder(reader) { Password = "not-it" }.ConnectionString;
        await using var refusedLogin = new NpgsqlConnection(wrong);
        (await Should.ThrowAsync<PostgresException>(() => refusedLogin.OpenAsync())).SqlState.ShouldBe(PostgresErrorCodes.InvalidPassword);
    }

    [Fact]
    public void The_scram_verifier_reproduces_the_rfc_7677_example()
    {
        // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations; the server's
        // final message v= is HMAC(ServerKey, AuthMessage), so the ServerKey in our verifier must reproduce it.
        var verifier = ScramVerifier.Create("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="));
        verifier.ShouldStartWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
        var serverKey = Convert.FromBase64String(verifier[(verifier.LastIndexOf(':') + 1)..]);
        const string authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(serverKey, System.Text.Encoding.ASCII.GetBytes(authMessage)))
            .ShouldBe("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    }
}
