using Dapper;
using Npgsql;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// A database on the test cluster owned the least-privilege way AGENT_DEPLOY.md prescribes: a LOGIN role with no
/// SUPERUSER, CREATEDB or CREATEROLE, CONNECT on its database, and the schema created for it by the superuser.
/// Role names are cluster-wide, so each one gets a random suffix.
/// </summary>
public sealed record OwnerDatabase(string Host, int Port, string Database, string Owner, string Password, string AdminConnectionString)
{
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Database = Database, Username = Owner, Password = Password, Pooling = false,
    }.ConnectionString;

    /// <summary>The superuser's connection to this database (for checks a DBA would make).</summary>
    public string AdminDatabaseConnectionString => new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = Database, Pooling = false }.ConnectionString;

    public static async Task<OwnerDatabase> CreateAsync(string password, string schema = "telemetry")
    {
        var cluster = await TestCluster.Current;
        var admin = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString);
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var owner = $"tt_owner_{suffix}";
        var database = $"tt_owned_{suffix}";
        await using (var connection = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await connection.OpenAsync();
            // The password is a bound parameter of format(), never spliced into the statement text.
            var create = await connection.ExecuteScalarAsync<string>("SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', @owner, @password)", new { owner, password });
            await connection.ExecuteAsync(create!);
            await connection.ExecuteAsync($"CREATE DATABASE {database}");
            await connection.ExecuteAsync($"GRANT CONNECT ON DATABASE {database} TO {owner}");
        }
        var result = new OwnerDatabase(admin.Host!, admin.Port, database, owner, password, cluster.AdminConnectionString);
        await using (var connection = new NpgsqlConnection(result.AdminDatabaseConnectionString))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE SCHEMA \"{schema}\" AUTHORIZATION {owner}");
        }
        return result;
    }
}
