using Cocona;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;

namespace TokenTelemetry.Commands;

public sealed class InitCommand
{
    /// <summary>The files `init` writes into an instance folder (and refuses to overwrite without --force).</summary>
    private static readonly string[] ScaffoldFiles = ["config.yaml", ".env.example", ".gitignore"];

    [Command("init", Description = "Scaffold instances/<name>/ (config.yaml, .env.example, .gitignore) from templates")]
    public int Init(
        [Argument(Description = "Instance name (lowercase letters, digits, - and _)")] string name,
        [Option(Description = "Folder to create the instance in (default: ./instances/<name>)")] string? dir = null,
        [Option("non-interactive", Description = "Never prompt; take flags and defaults (for agents and scripts)")] bool nonInteractive = false,
        [Option("pg-url", Description = "External Postgres URL, without a password")] string? pgUrl = null,
        [Option("pg-host", Description = "External Postgres host")] string? pgHost = null,
        [Option("pg-port", Description = "External Postgres port")] int? pgPort = null,
        [Option("pg-database", Description = "External Postgres database")] string? pgDatabase = null,
        [Option("pg-user", Description = "External Postgres user")] string? pgUser = null,
        [Option(Description = "Schema name (default: telemetry)")] string? schema = null,
        [Option("embedded-postgres", Description = "Run an embedded Postgres in the instance folder (the default when no --pg-* flag is given)")] bool embeddedPostgres = false,
        [Option("source", Description = "Enable a source (repeatable): litellm, openai, anthropic, copilot, subscriptions, manual, requests")] string[]? source = null,
        [Option("reader-role", Description = "grafana.reader_role: the read-only role Grafana connects as (migrate creates it, or a DBA with migrate --print-reader-sql)")] string? readerRole = null,
        [Option(Description = "Overwrite existing files")] bool force = false,
        [Option(Description = "Show stack traces on errors")] bool verbose = false)
    {
        var flags = new InitFlags
        {
            Name = name,
            NonInteractive = nonInteractive,
            EmbeddedPostgres = embeddedPostgres,
            PgUrl = pgUrl,
            PgHost = pgHost,
            PgPort = pgPort,
            PgDatabase = pgDatabase,
            PgUser = pgUser,
            Schema = schema,
            Sources = source ?? [],
            ReaderRole = string.IsNullOrEmpty(readerRole) ? null : readerRole, // --reader-role "" = none, for scripts
        };
        var directory = Invocation.Current.FullPath(dir ?? Path.Combine("instances", name));
        var existing = ScaffoldFiles.Where(f => File.Exists(Path.Combine(directory, f))).ToList();
        if (existing.Count > 0 && !force)
            throw new TelemetryException($"{Relative(directory)} already has {string.Join(", ", existing)}; nothing was changed",
                "pass --force to overwrite, or choose another name");

        var interactive = !nonInteractive && !Invocation.Current.Terminal.IsInputRedirected;
        var options = InitPlanner.Plan(flags, interactive ? new ConsolePrompter() : null);
        var files = InstanceScaffold.Render(options);
        // Check the rendered config parses and validates (with every variable set) before anything is written.
        var config = ConfigLoader.Parse(files[0].Content, "config.yaml", environment: _ => "placeholder").Config;

        Directory.CreateDirectory(directory);
        foreach (var (fileName, content) in files) File.WriteAllText(Path.Combine(directory, fileName), content);
        // A file source whose folder is missing fails every cycle; an empty folder is an idle source that is ok.
        var folders = config.Sources.Enabled()
            .Where(s => s.Config is FileSourceConfig { Path.Length: > 0 })
            .Select(s => (s.Name, Folder: Path.GetFullPath(((FileSourceConfig)s.Config).Path!, directory))).ToList();
        foreach (var (_, folder) in folders) Directory.CreateDirectory(folder);

        var at = Relative(directory);
        Terminal.Out($"created {at}/config.yaml, {at}/.env.example and {at}/.gitignore");
        foreach (var (kind, folder) in folders) Terminal.Out($"created {Relative(folder)}/ (the {kind} source reads the files put there)");
        Terminal.Out($"postgres: {(options.Embedded ? "embedded (runs in " + at + "/.pgdata)" : "external")}; schema: {options.Schema}; " +
                     $"sources: {(options.Sources.Count == 0 ? "none yet" : string.Join(", ", options.Sources))}");
        Terminal.Out("next:");
        var instanceArg = dir is null ? name : at;
        if (InstanceScaffold.Variables(options).Any())
            Terminal.Out($"  cp {at}/.env.example {at}/.env    # then fill in the secrets it lists");
        Terminal.Out($"  token-telemetry migrate --instance {instanceArg}");
        Terminal.Out($"  token-telemetry collect --instance {instanceArg}");
        _ = verbose; // read by Program before the command runs
        return ExitCodes.Ok;
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Invocation.Current.WorkingDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
