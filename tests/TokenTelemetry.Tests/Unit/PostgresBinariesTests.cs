using Shouldly;
using TokenTelemetry.Database;

namespace TokenTelemetry.Tests.Unit;

public sealed class PostgresBinariesTests
{
    [Fact]
    public async Task A_folder_without_binaries_is_a_clear_error_with_the_install_hint()
    {
        var error = await Should.ThrowAsync<TelemetryException>(() => PostgresBinaries.FindAsync("/nonexistent/pg/bin", CancellationToken.None));
        error.ToErrorLine().ShouldBe("error: no initdb/pg_ctl in /nonexistent/pg/bin (install them (Debian/Ubuntu: apt-get install postgresql), set postgres.embedded_bin_dir, or use an external Postgres with postgres.embedded: false)");
    }

    [Fact]
    public async Task The_machine_binaries_are_found_with_their_major_version()
    {
        var found = await PostgresBinaries.FindAsync(null, CancellationToken.None);
        found.MajorVersion.ShouldBeGreaterThanOrEqualTo(15);
        File.Exists(found.PgCtl).ShouldBeTrue();
    }
}
