using System.Runtime.ExceptionServices;
using TokenTelemetry.Usage;

namespace TokenTelemetry.Ingest;

/// <summary>
/// Normalizes payload files on up to <paramref name="threads"/> threads while one consumer — the only code that sees
/// the ledger, the prices and the rows — takes their results strictly in file order and, within a file, in line order:
/// exactly what reading the files one after another gives (every file has a normalizer of its own, so no state
/// crosses files on the reading side). Reading starts in the constructor, so it overlaps the connection and schema
/// checks. Memory is bounded: files ahead of the consumer hold at most <paramref name="budget"/> events together and
/// the file being consumed at most as many again; a reader over budget waits. A file that cannot be read ends with
/// what it gave before plus the failure, in its place; any other failure is rethrown to the consumer.
/// </summary>
public sealed class OrderedPayloadReader : IDisposable
{
    private readonly IReadOnlyList<string> _files;
    private readonly int _budget;
    private readonly CancellationTokenSource _stop;
    private readonly object _gate = new();
    private readonly Queue<List<NormalizedEvent>>?[] _queues;
    private readonly int[] _buffered;
    private readonly bool[] _done;
    private readonly Exception?[] _failed;
    private int _next, _current, _total;

    /// <param name="read">Normalizes one file into the sink, on a reading thread.</param>
    public OrderedPayloadReader(IReadOnlyList<string> files, Action<string, INormalizedSink, CancellationToken> read, int threads, int budget, CancellationToken ct)
    {
        (_files, _budget) = (files, budget);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _queues = new Queue<List<NormalizedEvent>>?[files.Count];
        _buffered = new int[files.Count];
        _done = new bool[files.Count];
        _failed = new Exception?[files.Count];
        var token = _stop.Token;
        token.Register(() => { lock (_gate) Monitor.PulseAll(_gate); });
        for (var i = 0; i < Math.Clamp(files.Count, 0, Math.Max(1, threads)); i++)
            new Thread(() => Work(read, token)) { IsBackground = true, Name = $"read-{i}" }.Start();
    }

    /// <summary>Replays every file's events into <paramref name="sink"/> in order; <paramref name="starting"/> is told
    /// before a file's first event, <paramref name="unreadable"/> when reading it failed with an I/O error.</summary>
    public void Drain(INormalizedSink sink, Action<string> starting, Action<string, Exception> unreadable)
    {
        for (var i = 0; i < _files.Count; i++)
        {
            starting(_files[i]);
            while (Take(i) is { } batch)
                foreach (var e in batch)
                {
                    _stop.Token.ThrowIfCancellationRequested(); // as a sequential read stops between lines
                    e.Replay(sink);
                }
            if (_failed[i] is { } failure)
            {
                if (failure is UnauthorizedAccessException or IOException) unreadable(_files[i], failure);
                else ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }

    /// <summary>The next batch of file <paramref name="index"/>, or null once it is done.</summary>
    private List<NormalizedEvent>? Take(int index)
    {
        lock (_gate)
        {
            if (_current != index)
            {
                _current = index; // its reader may now use the budget of the file being consumed
                Monitor.PulseAll(_gate);
            }
            while (_queues[index] is not { Count: > 0 } && !_done[index])
            {
                _stop.Token.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }
            if (_queues[index] is not { Count: > 0 } queue) return null;
            var batch = queue.Dequeue();
            _buffered[index] -= batch.Count;
            _total -= batch.Count;
            Monitor.PulseAll(_gate);
            return batch;
        }
    }

    private void Work(Action<string, INormalizedSink, CancellationToken> read, CancellationToken ct)
    {
        while (true)
        {
            int index;
            lock (_gate)
            {
                if (_next >= _files.Count || ct.IsCancellationRequested) return;
                index = _next++;
            }
            var sink = new RecordingSink(batch => Put(index, batch, ct));
            Exception? failure = null;
            try
            {
                read(_files[index], sink, ct);
                sink.Flush();
            }
            catch (Exception e)
            {
                failure = e;
                if (e is UnauthorizedAccessException or IOException) sink.Flush(); // what came before the failure counts, as it did read in sequence
            }
            lock (_gate)
            {
                (_done[index], _failed[index]) = (true, failure);
                Monitor.PulseAll(_gate);
            }
            if (failure is not null && failure is not (UnauthorizedAccessException or IOException)) return;
        }
    }

    private void Put(int index, List<NormalizedEvent> batch, CancellationToken ct)
    {
        lock (_gate)
        {
            // Files ahead share the budget; the file being consumed has one of its own, so it can always move.
            while (index == _current ? _buffered[index] >= _budget : _total >= _budget)
            {
                ct.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }
            (_queues[index] ??= new()).Enqueue(batch);
            _buffered[index] += batch.Count;
            _total += batch.Count;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Stops the reading threads (they end at their next line or hand-over).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
