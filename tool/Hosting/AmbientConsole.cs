using System.Text;

namespace TokenTelemetry.Hosting;

/// <summary>
/// Points <c>System.Console</c>'s reader and writers at the current <see cref="Invocation"/>'s terminal, for code we
/// do not own that writes to the console itself (Cocona's help and parse errors). Installed by a host that runs the
/// tool in-process; outside a run they still reach the real console. The binary never installs it.
/// </summary>
public static class AmbientConsole
{
    private static readonly Lock Gate = new();
    private static bool _installed;

    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            _ = StandardStreams.Console; // capture the real console before replacing it
            Console.SetIn(new Reader());
            Console.SetOut(new Writer(static t => t.Out));
            Console.SetError(new Writer(static t => t.Error));
            _installed = true;
        }
    }

    private sealed class Writer(Func<StandardStreams, TextWriter> pick) : TextWriter
    {
        private static TextWriter Target(Func<StandardStreams, TextWriter> pick) => pick(Invocation.Current.Terminal);

        public override Encoding Encoding => Target(pick).Encoding;
        public override void Write(char value) => Target(pick).Write(value);
        public override void Write(string? value) => Target(pick).Write(value);
        public override void Write(char[] buffer, int index, int count) => Target(pick).Write(buffer, index, count);
        public override void WriteLine() => Target(pick).WriteLine();
        public override void WriteLine(string? value) => Target(pick).WriteLine(value);
        public override void Flush() => Target(pick).Flush();
    }

    private sealed class Reader : TextReader
    {
        private static TextReader Target => Invocation.Current.Terminal.In;

        public override int Peek() => Target.Peek();
        public override int Read() => Target.Read();
        public override int Read(char[] buffer, int index, int count) => Target.Read(buffer, index, count);
        public override string? ReadLine() => Target.ReadLine();
        public override string ReadToEnd() => Target.ReadToEnd();
    }
}
