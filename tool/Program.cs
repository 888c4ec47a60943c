using Cocona;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Commands;

// Composition root only: commands live in Commands/, everything they use in the folders beside it.
var verbose = args.Contains("--verbose");
ProcessLifetime.Install();
var builder = CoconaApp.CreateBuilder(args, options =>
{
    options.TreatPublicMethodsAsCommands = false;
    options.EnableShellCompletionSupport = false;
});
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Logging.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning);

var app = builder.Build();
app.UseFilter(new ErrorFilter(verbose));
app.AddCommands<InitCommand>();
app.AddCommands<MigrateCommand>();
app.AddCommands<NormalizeCommand>();
app.AddCommands<CollectCommand>();
app.AddCommands<ImportCommand>();
app.AddCommands<WatchdogCommand>();
app.AddCommands<ReportCommand>();
app.AddCommands<VerifyCommand>();
app.AddCommands<RepriceCommand>();
app.AddCommands<ReconcileCommand>();
app.AddCommands<DemoCommand>();
app.AddCommands<RenderCommand>();
app.AddSubCommand("grafana", grafana => grafana.AddCommands<GrafanaCommands>())
    .WithDescription("Push the dashboards (and datasource) to Grafana");
app.AddSubCommand("pricing", pricing =>
    {
        pricing.AddCommands<PricingCommands>();
        pricing.AddCommands<PricingExplainCommand>();
    })
    .WithDescription("Inspect prices, price a usage, explain a stored cost, refresh the cached price table");
app.AddSubCommand("db", db => db.AddCommands<DbCommands>())
    .WithDescription("Manage the instance's embedded Postgres: start, stop, status");
await app.RunAsync();

// Cocona exits 129 after printing help for the root or a command group; asking for help is not an error.
if (args.Any(a => a is "--help" or "-h") && Environment.ExitCode == 129) Environment.ExitCode = 0;
