using Shouldly;
using TokenTelemetry.Ingest;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Tests.Unit;

/// <summary>Files normalized on several threads reach the one consumer exactly as a sequential read would give them:
/// file order, line order, a file that fails part-way in its place, and never more than the budget held ahead.</summary>
public sealed class OrderedPayloadReaderTests
{
    /// <summary>File i emits (i * 37) % 700 events: some none, some several batches, some over the budget alone.</summary>
    private static readonly List<string> Files = Enumerable.Range(0, 120).Select(i => $"f{i:D3}").ToList();

    private static int Events(string file) => int.Parse(file[1..]) * 37 % 700;

    private static void Emit(string file, INormalizedSink sink, CancellationToken ct, Action? each = null)
    {
        var random = new Random(file.GetHashCode(StringComparison.Ordinal));
        for (var line = 1; line <= Events(file); line++)
        {
            ct.ThrowIfCancellationRequested();
            if (random.Next(50) == 0) Thread.Sleep(1); // uneven speed, so threads overtake each other
            each?.Invoke();
            switch (line % 4)
            {
                case 0: sink.Usage(line, new UsageTelemetry { Model = $"{file}:{line}" }); break;
                case 1: sink.Rejected(line, $"{file}:{line}"); break;
                case 2: sink.Unfinished(line, $"{file}:{line}"); break;
                default: sink.Meter(line, new UsageMeter { Meter = $"{file}:{line}" }); break;
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 300)]
    [InlineData(4, 5_000)]
    public void Events_arrive_in_file_and_line_order_as_a_sequential_read_gives_them(int threads, int budget)
    {
        var sequential = new Recorder();
        foreach (var file in Files)
        {
            sequential.Starting(file);
            Emit(file, sequential, CancellationToken.None);
        }

        long produced = 0, consumed = 0, mostAhead = 0;
        var parallel = new Recorder(() => mostAhead = Math.Max(mostAhead, Interlocked.Read(ref produced) - ++consumed));
        using (var reader = new OrderedPayloadReader(Files, (f, s, ct) => Emit(f, s, ct, () => Interlocked.Increment(ref produced)), threads, budget, CancellationToken.None))
            reader.Drain(parallel, parallel.Starting, (f, e) => throw new InvalidOperationException(f, e));

        parallel.Seen.Count.ShouldBe(Files.Sum(Events) + Files.Count);
        parallel.Seen.ShouldBe(sequential.Seen);
        // Files ahead hold at most the budget, the file being consumed as much again, and each thread a batch it is filling.
        mostAhead.ShouldBeLessThanOrEqualTo(2 * budget + threads * RecordingSink.BatchSize + RecordingSink.BatchSize);
    }

    [Fact]
    public void A_file_that_cannot_be_read_part_way_gives_what_came_before_and_its_failure_in_its_place()
    {
        var recorder = new Recorder();
        var failures = new List<string>();
        void Read(string file, INormalizedSink sink, CancellationToken ct)
        {
            Emit(file, sink, ct);
            if (file is "f010" or "f011") throw new IOException($"{file} vanished");
        }
        using (var reader = new OrderedPayloadReader(Files.Take(20).ToList(), Read, 2, 100, CancellationToken.None))
            reader.Drain(recorder, f => { recorder.Starting(f); failures.Add(f); }, (f, e) => failures.Add($"{f}: {e.Message}"));

        failures.Where(f => f.Contains(':', StringComparison.Ordinal)).ShouldBe(["f010: f010 vanished", "f011: f011 vanished"]);
        failures.IndexOf("f010: f010 vanished").ShouldBe(failures.IndexOf("f010") + 1);
        recorder.Seen.Count.ShouldBe(Files.Take(20).Sum(Events) + 20);
    }

    [Fact]
    public void Any_other_failure_reaches_the_consumer_after_the_files_before_it()
    {
        var recorder = new Recorder();
        void Read(string file, INormalizedSink sink, CancellationToken ct)
        {
            if (file == "f007") throw new InvalidDataException("broken normalizer");
            Emit(file, sink, ct);
        }
        using var reader = new OrderedPayloadReader(Files, Read, 2, 100, CancellationToken.None);
        Should.Throw<InvalidDataException>(() => reader.Drain(recorder, recorder.Starting, (_, _) => { })).Message.ShouldBe("broken normalizer");
        recorder.Seen.Count.ShouldBe(Files.Take(7).Sum(Events) + 8);
    }

    [Fact]
    public void Cancelling_stops_the_readers_and_the_consumer()
    {
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        var recorder = new Recorder(() => { if (++seen == 1000) cancel.Cancel(); });
        using var reader = new OrderedPayloadReader(Files, (f, s, ct) => Emit(f, s, ct), 2, 100, cancel.Token);
        Should.Throw<OperationCanceledException>(() => reader.Drain(recorder, recorder.Starting, (_, _) => { }));
        seen.ShouldBe(1000); // the consumer stopped at the next hand-over: nothing after the cancel was replayed
        recorder.Seen.Count.ShouldBeLessThan(Files.Sum(Events));
    }

    private sealed class Recorder(Action? onEvent = null) : INormalizedSink
    {
        public List<string> Seen { get; } = [];
        public void Starting(string file) => Seen.Add($"file {file}");
        public void Usage(long line, UsageTelemetry usage) => Add($"usage {line} {usage.Model}");
        public void Meter(long line, UsageMeter meter) => Add($"meter {line} {meter.Meter}");
        public void Rejected(long line, string reason) => Add($"rejected {line} {reason}");
        public void Unfinished(long line, string reason) => Add($"unfinished {line} {reason}");

        private void Add(string e)
        {
            onEvent?.Invoke();
            Seen.Add(e);
        }
    }
}
