namespace TokenTelemetry;

/// <summary>
/// One run of the tool: its standard streams, environment variables, working directory and cancellation. The binary
/// runs once with the process's own (<see cref="ForProcess"/>); a host running the tool in-process (the test suite)
/// gives every run its own, so runs in parallel never share the console, the environment or the current directory.
/// Code that would read <c>Console</c>, <c>Environment.GetEnvironmentVariable</c> or <c>Directory.GetCurrentDirectory</c>
/// asks <see cref="Current"/> instead.
/// </summary>
public sealed class Invocation
{
    private static readonly AsyncLocal<Invocation?> Ambient = new();
    private static readonly Invocation Default = ForProcess(CancellationToken.None);
    private readonly Func<string, string?> _variables;
    private readonly string? _workingDirectory;

    public Invocation(StandardStreams terminal, Func<string, string?> variables, string? workingDirectory, CancellationToken cancellation)
    {
        if (workingDirectory is not null && !Path.IsPathFullyQualified(workingDirectory))
            throw new ArgumentException($"the working directory {workingDirectory} is not an absolute path", nameof(workingDirectory));
        Terminal = terminal;
        _variables = variables;
        _workingDirectory = workingDirectory;
        Cancellation = cancellation;
    }

    /// <summary>The run this code belongs to (flows with async calls and tasks); outside any run, the process's.</summary>
    public static Invocation Current => Ambient.Value ?? Default;

    /// <summary>The process's console, environment and current directory.</summary>
    public static Invocation ForProcess(CancellationToken cancellation) =>
        new(StandardStreams.Console, Environment.GetEnvironmentVariable, null, cancellation);

    public StandardStreams Terminal { get; }

    /// <summary>Cancelled by SIGTERM/Ctrl-C in the binary, by the host's lifetime in-process.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Relative paths given on the command line are relative to this.</summary>
    public string WorkingDirectory => _workingDirectory ?? Directory.GetCurrentDirectory();

    public string? Variable(string name) => _variables(name);

    public string FullPath(string path) => Path.GetFullPath(path, WorkingDirectory);

    /// <summary>
    /// Makes this the current run for the calling async flow: what it awaits and the tasks it starts see it, and the
    /// caller's own value comes back when the calling async method returns (AsyncLocal semantics).
    /// </summary>
    public void Enter() => Ambient.Value = this;
}
