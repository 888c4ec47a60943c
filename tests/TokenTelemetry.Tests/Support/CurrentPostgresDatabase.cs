namespace TokenTelemetry.Tests.Support;

/// <summary>A database on PostgreSQL 15+ (UNIQUE NULLS NOT DISTINCT).</summary>
public sealed class CurrentPostgresDatabase : DatabaseFixture
{
    protected override Task<TestCluster> GetClusterAsync() => TestCluster.Current;
}
