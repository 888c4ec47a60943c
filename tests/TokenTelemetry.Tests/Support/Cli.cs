using System.Diagnostics;
using TokenTelemetry.Hosting;

namespace TokenTelemetry.Tests.Support;

/// <summary>
/// Runs token-telemetry as a user would: <see cref="RunAsync(string, IDictionary{string, string}?, string[])"/> in this
/// process, through the binary's own entry point (<see cref="ToolHost"/>) with a terminal, environment, working
/// directory and lifetime of the run's own (so runs in parallel share none of them), stdin redirected (never a TTY);
/// <see cref="RunProcessAsync"/> and <see cref="RunWrappedAsync"/> as a separate `dotnet token-telemetry.dll` process,
/// for what depends on a real process (signals, what the process opens as seen by strace).
/// </summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<string> StdoutLines => Lines(Stdout);
        public IReadOnlyList<string> StderrLines => Lines(Stderr);
        private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    public static Task<Result> RunAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        RunWithInputAsync(workingDirectory, environment, null, args);

    /// <summary>In-process: the test host's environment minus TT_INSTANCE, plus <paramref name="environment"/>, as a child process would see it.</summary>
    public static async Task<Result> RunWithInputAsync(string workingDirectory, IDictionary<string, string>? environment, string? stdin, params string[] args)
    {
        var overrides = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        string? Variable(string name) =>
            overrides.TryGetValue(name, out var value) ? value : name == "TT_INSTANCE" ? null : Environment.GetEnvironmentVariable(name);
        using var terminal = new CapturedTerminal(stdin);
        using var lifetime = new CancellationTokenSource(Timeout);
        var invocation = new Invocation(terminal.Streams, Variable, Path.GetFullPath(workingDirectory), lifetime.Token);
        var run = Task.Run(() => ToolHost.RunAsync(args, invocation));
        var exitCode = await run.WaitAsync(Timeout + TimeSpan.FromSeconds(30));
        return new Result(exitCode, terminal.Stdout, terminal.Stderr);
    }

    /// <summary>As a separate process (`dotnet token-telemetry.dll`), stdin redirected.</summary>
    public static Task<Result> RunProcessAsync(string workingDirectory, IDictionary<string, string>? environment, string? stdin, params string[] args) =>
        RunWrappedAsync([], workingDirectory, environment, stdin, args);

    /// <summary>The tool under another program, e.g. <c>strace -f -o log</c>: <paramref name="wrapper"/> then dotnet and the tool.</summary>
    public static async Task<Result> RunWrappedAsync(string[] wrapper, string workingDirectory, IDictionary<string, string>? environment, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(wrapper.Length > 0 ? wrapper[0] : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var w in wrapper.Skip(1).Append(wrapper.Length > 0 ? "dotnet" : null).OfType<string>()) info.ArgumentList.Add(w);
        info.ArgumentList.Add(DotnetHost.ToolDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("TT_INSTANCE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
