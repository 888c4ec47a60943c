using TokenTelemetry;
using TokenTelemetry.Commands;
using TokenTelemetry.Hosting;

// Composition root only: the process's console, environment and signals make this run's invocation; ToolHost
// (the entry point the test suite also runs in-process) builds the commands and runs the one asked for.
return await ToolHost.RunAsync(args, Invocation.ForProcess(ProcessLifetime.Install()));
