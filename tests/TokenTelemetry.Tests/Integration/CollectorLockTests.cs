using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using Shouldly;
using TokenTelemetry.Collection;
using TokenTelemetry.Configuration;
using TokenTelemetry.Database;
using TokenTelemetry.Sources;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>Invariant 12's locks (V0002): row locks on collector_lock that the read-only Grafana role cannot take,
/// and a lock held for longer than a cycle reported as the source's error, not a quiet skip.</summary>
public sealed class CollectorLockTests
{
    private static InstanceConfig Config(TimeSpan? interval = null) => new()
    {
        Scheduler = new SchedulerConfig { Interval = interval ?? TimeSpan.FromHours(1) },
        Sources = new SourcesConfig { Subscriptions = new SubscriptionsSourceConfig { Enabled = true } },
    };

    [Fact]
    public async Task The_read_only_role_cannot_take_a_collector_lock_so_it_cannot_stall_collection()
    {
        var harness = await EngineHarness.CreateAsync();
        await using (var owner = await harness.OpenAsync())
            await ReaderRole.EnsureAsync(owner, harness.Schema, "tt_lock_reader", "reader-secret", CancellationToken.None);
        var asReader = new NpgsqlConnectionStringBuilder(harness.ConnectionString) { Username = "tt_lock_reader", Password = "reader-secret" };
        await using var reader = new NpgsqlConnection(asReader.ConnectionString);
        await reader.OpenAsync();

        // What stalled collection before V0002: the reader taking the advisory lock on the collector's public key (a hash
        // of schema and source). Any role can take any advisory lock; now it holds nothing collection uses…
        var oldKey = BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes("token-telemetry:collect:telemetry:subscriptions")));
        (await reader.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_lock(@oldKey)", new { oldKey })).ShouldBeTrue();
        // …and the locks collection uses are row locks, which need UPDATE on a table the reader may only read.
        foreach (var name in (string[])["ingest", "source:subscriptions"])
        {
            await using var tx = await reader.BeginTransactionAsync();
            var denied = await Should.ThrowAsync<PostgresException>(() =>
                reader.ExecuteAsync("SELECT name FROM telemetry.collector_lock WHERE name = @name FOR UPDATE", new { name }, tx));
            denied.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
        }

        var config = Config();
        var outcome = (await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)])).ShouldHaveSingleItem();
        outcome.Status.ShouldBe(SourceStatus.Ok);
    }

    [Fact]
    public async Task A_lock_held_for_longer_than_one_cycle_fails_the_source_naming_the_backend()
    {
        var harness = await EngineHarness.CreateAsync();
        await using var holder = await harness.OpenAsync();
        await holder.ExecuteAsync("INSERT INTO telemetry.collector_lock (name) VALUES ('source:subscriptions')");
        await using var holding = await holder.BeginTransactionAsync();
        // A collector that took the lock and got stuck: it holds the row and names itself as collectors do.
        await holder.ExecuteAsync("SELECT name FROM telemetry.collector_lock WHERE name = 'source:subscriptions' FOR UPDATE", transaction: holding);
        await holder.ExecuteAsync("SELECT set_config('application_name', @name, true)",
            new { name = CollectorLock.ApplicationName(harness.Schema, "subscriptions") }, holding);
        var pid = await holder.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", transaction: holding);

        var config = Config(TimeSpan.FromHours(1));
        var fresh = (await harness.RunAsync(config, [new SubscriptionsSource(config.Sources.Subscriptions!, harness.Clock)])).ShouldHaveSingleItem();
        fresh.Status.ShouldBe(SourceStatus.Skipped); // held for a moment: another collector is working on it

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var stuckConfig = Config(TimeSpan.FromSeconds(1));
        var stuck = (await harness.RunAsync(stuckConfig, [new SubscriptionsSource(stuckConfig.Sources.Subscriptions!, harness.Clock)])).ShouldHaveSingleItem();

        stuck.Status.ShouldBe(SourceStatus.Failed);
        stuck.Message.ShouldStartWith($"another collector (backend pid {pid}) has held subscriptions's lock since ");
        stuck.Message.ShouldEndWith($", longer than one cycle (1s): a stuck collector or a very long backfill; if no collector is running, end it with SELECT pg_terminate_backend({pid})");
        (await harness.WatchdogAsync()).Single(w => w.SourceSystem == "subscriptions").Status.ShouldBe("error");
    }
}
