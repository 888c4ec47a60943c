using Cocona;
using Cocona.Application;
using Cocona.Command;
using Cocona.Command.Dispatcher;
using Cocona.Command.Dispatcher.Middlewares;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TokenTelemetry.Commands;

namespace TokenTelemetry.Hosting;

/// <summary>
/// The tool's entry point: the binary calls it once with the process's invocation (Program.cs), the test suite once
/// per simulated run with an invocation of its own. Builds the Cocona app and dispatches the command, returning the
/// exit code instead of setting <c>Environment.ExitCode</c> as Cocona's hosted service does — a process-wide value
/// that runs in parallel would overwrite.
/// </summary>
public static class ToolHost
{
    public static async Task<int> RunAsync(string[] args, Invocation invocation)
    {
        if (invocation.Terminal != StandardStreams.Console) AmbientConsole.Install();
        invocation.Enter();
        var verbose = args.Contains("--verbose");
        using var app = Build(args, verbose);
        // What CoconaHostedService does when the host starts, minus the host: the same middleware, in the same order.
        app.Services.GetRequiredService<ICoconaCommandDispatcherPipelineBuilder>()
            .UseMiddleware<HandleExceptionAndExitMiddleware>()
            .UseMiddleware<HandleParameterBindExceptionMiddleware>()
            .UseMiddleware<RejectUnknownOptionsMiddleware>()
            .UseMiddleware<CommandFilterMiddleware>()
            .UseMiddleware<InitializeConsoleAppMiddleware>()
            .UseMiddleware<CoconaCommandInvokeMiddleware>();
        var bootstrapper = app.Services.GetRequiredService<ICoconaBootstrapper>();
        bootstrapper.Initialize();
        var exitCode = await Task.Run(async () => await bootstrapper.RunAsync(invocation.Cancellation), CancellationToken.None);
        await invocation.Terminal.Out.FlushAsync(CancellationToken.None);
        // Cocona exits 129 after printing help for the root or a command group; asking for help is not an error.
        return args.Any(a => a is "--help" or "-h") && exitCode == 129 ? 0 : exitCode;
    }

    private static CoconaApp Build(string[] args, bool verbose)
    {
        var builder = CoconaApp.CreateBuilder(args, options =>
        {
            options.TreatPublicMethodsAsCommands = false;
            options.EnableShellCompletionSupport = false;
        });
        builder.Services.Replace(ServiceDescriptor.Singleton<ICoconaApplicationMetadataProvider, ToolMetadata>());
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
        return app;
    }
}
