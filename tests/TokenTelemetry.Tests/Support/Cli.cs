using System.Diagnostics;

namespace TokenTelemetry.Tests.Support;

/// <summary>Runs the real token-telemetry binary, as a user would, with stdin redirected (so never a TTY).</summary>
public static class Cli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public IReadOnlyList<string> StdoutLines => Lines(Stdout);
        public IReadOnlyList<string> StderrLines => Lines(Stderr);
        private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }

    private static readonly string ToolDll = Path.Combine(AppContext.BaseDirectory, "token-telemetry.dll");

    public static Task<Result> RunAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        RunWithInputAsync(workingDirectory, environment, null, args);

    public static Task<Result> RunWithInputAsync(string workingDirectory, IDictionary<string, string>? environment, string? stdin, params string[] args) =>
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
        info.ArgumentList.Add(ToolDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("TT_INSTANCE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);
}
