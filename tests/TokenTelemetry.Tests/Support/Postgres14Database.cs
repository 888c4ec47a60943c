namespace TokenTelemetry.Tests.Support;

/// <summary>A database on PostgreSQL 14 (partial unique indexes).</summary>
public sealed class Postgres14Database : DatabaseFixture
{
    protected override Task<TestCluster> GetClusterAsync() => TestCluster.Pg14;
}
