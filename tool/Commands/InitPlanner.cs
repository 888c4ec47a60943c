using System.Text.RegularExpressions;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Commands;

/// <summary>
/// Decides what `init` scaffolds: flags first; then, only on a terminal and without --non-interactive, prompts
/// for what the flags left open; then defaults. Without any --pg-* flag the default is an embedded Postgres,
/// because it works on a fresh machine with nothing else set up.
/// </summary>
public static partial class InitPlanner
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    public static InitOptions Plan(InitFlags flags, IPrompter? prompter)
    {
        if (!NamePattern().IsMatch(flags.Name))
            throw new TelemetryException($"'{flags.Name}' is not a valid instance name", "use lowercase letters, digits, - and _");
        var pgGiven = flags.PgUrl is not null || flags.PgHost is not null || flags.PgPort is not null || flags.PgDatabase is not null || flags.PgUser is not null;
        if (flags.EmbeddedPostgres && pgGiven)
            throw new TelemetryException("--embedded-postgres cannot be combined with --pg-url/--pg-host/--pg-port/--pg-database/--pg-user",
                "choose an embedded or an external Postgres");

        var embedded = flags.EmbeddedPostgres || !pgGiven;
        var url = flags.PgUrl;
        if (prompter is not null && !flags.EmbeddedPostgres && !pgGiven)
        {
            var answer = prompter.Ask("Postgres: 'embedded' (the tool runs one here) or a URL postgres://user@host:5432/database", "embedded");
            embedded = answer == "embedded";
            url = embedded ? null : answer;
        }
        if (url is not null) CheckUrl(url);

        var schema = flags.Schema ?? prompter?.Ask("Schema", PostgresConfig.DefaultSchema) ?? PostgresConfig.DefaultSchema;
        if (!ConfigValidator.IsIdentifier(schema))
            throw new TelemetryException($"'{schema}' is not a valid schema name", ConfigValidator.IdentifierRule);

        var sources = flags.Sources.ToList();
        if (sources.Count == 0 && prompter is not null)
            sources = prompter.Ask($"Sources to enable, comma-separated ({string.Join(", ", SourcesConfig.KnownKinds)}); empty for none", "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var unknown = sources.Where(s => !SourcesConfig.KnownKinds.Contains(s)).ToList();
        if (unknown.Count > 0)
            throw new TelemetryException($"unknown source '{unknown[0]}'", $"known sources: {string.Join(", ", SourcesConfig.KnownKinds)}");
        if (flags.ReaderRole is { } reader && !ConfigValidator.IsIdentifier(reader))
            throw new TelemetryException($"'{reader}' is not a valid role name", ConfigValidator.IdentifierRule);
        if (flags.PgPort is { } port && port is < 1 or > 65535)
            throw new TelemetryException($"--pg-port {port} is not a TCP port", "use 1-65535");

        return new InitOptions
        {
            Name = flags.Name,
            Embedded = embedded,
            Url = embedded ? null : url,
            Host = flags.PgHost ?? "localhost",
            Port = flags.PgPort ?? 5432,
            Database = flags.PgDatabase ?? "token_telemetry",
            User = flags.PgUser ?? "token_telemetry",
            Schema = schema,
            // Config order, not flag order, so the same choice always renders the same bytes.
            Sources = SourcesConfig.KnownKinds.Where(sources.Contains).ToList(),
            ReaderRole = flags.ReaderRole,
        };
    }

    private static void CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new TelemetryException($"'{url}' is not a Postgres URL", "expected postgres://user@host:5432/database");
        if (uri.UserInfo.Contains(':'))
            throw new TelemetryException("the Postgres URL contains a password, which would be written into config.yaml",
                "pass the URL without it and put the password in TT_PG_PASSWORD in the instance's .env");
    }
}
