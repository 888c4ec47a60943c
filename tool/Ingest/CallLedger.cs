using Npgsql;
using TokenTelemetry.Database;

namespace TokenTelemetry.Ingest;

/// <summary>
/// The ingest's view of call_ledger: which identities are counted, and by which row. Entries are loaded a span of
/// days at a time as the input reaches them (so memory follows the days an input touches, not the table), inside
/// the ingest's locked transaction. A call is new when no entry overlapping its window holds its identity — under
/// any source_system, so the same call through `import` and a file source counts once.
/// </summary>
public sealed class CallLedger(CallLedgerStore store, NpgsqlTransaction tx, bool replace)
{
    /// <summary>Sizes the identity map for about this many calls up front: growing a map of a million entries by
    /// doubling holds the old and the new array at once, a third of the ingest's peak memory.</summary>
    public void Expect(long calls) => _counted.EnsureCapacity((int)Math.Clamp(calls, 0, 50_000_000));

    public enum Verdict { New, Recount, Known }

    private readonly Dictionary<UInt128, IngestGroup.Slot> _counted = new();
    private readonly Dictionary<GroupKey, IngestGroup> _groups = new();
    private readonly HashSet<DateTime> _loadedDays = [];
    private readonly HashSet<long> _loadedEntries = [];
    private readonly HashSet<UInt128>? _recounted = replace ? [] : null;

    public DateTimeOffset? LoadedFrom { get; private set; }
    public DateTimeOffset? LoadedTo { get; private set; }
    public IEnumerable<IngestGroup> Touched => _groups.Values.Where(g => g.Touched);

    /// <summary>Where a call (or aggregate row) of this key stands; <paramref name="holder"/> is the row that counts it
    /// already (Known), or the row it goes to.</summary>
    public Verdict Look(UInt128 id, GroupKey key, out IngestGroup holder)
    {
        EnsureLoaded(key.Start, key.End);
        var group = Group(key);
        if (_counted.TryGetValue(id, out var slot))
        {
            holder = slot.Group;
            // --replace rebuilds the row from this input: a call it already counted is counted again, once.
            if (_recounted is not null && slot.Group == group && _recounted.Add(id))
            {
                holder = group;
                return Verdict.Recount;
            }
            return Verdict.Known;
        }
        holder = group;
        return Verdict.New;
    }

    /// <summary>Records that <paramref name="group"/> now counts <paramref name="id"/> (after its totals took it).</summary>
    public void Count(UInt128 id, IngestGroup group)
    {
        _counted[id] = group.NewSlot;
        _recounted?.Add(id); // counted by this input: a second sighting is a repeat, even under --replace
        group.NewCount++;
    }

    /// <summary>Records that <paramref name="group"/> counts <paramref name="id"/> as its aggregate row.</summary>
    public void Claim(UInt128 id, IngestGroup group)
    {
        _counted[id] = group.NewSlot;
        _recounted?.Add(id);
    }

    /// <summary>The identities each touched row newly counts, concatenated as call_ledger stores them (one pass over
    /// the map, so they are never held twice).</summary>
    public Dictionary<IngestGroup, byte[]> PackNewIds()
    {
        var packed = new Dictionary<IngestGroup, byte[]>();
        var filled = new Dictionary<IngestGroup, int>();
        foreach (var (id, slot) in _counted)
        {
            if (!slot.New) continue;
            if (!packed.TryGetValue(slot.Group, out var bytes)) packed[slot.Group] = bytes = new byte[slot.Group.NewCount * 16];
            var at = filled.GetValueOrDefault(slot.Group);
            CallIdentity.Write(id, bytes.AsSpan(at, 16));
            filled[slot.Group] = at + 16;
        }
        return packed;
    }

    private IngestGroup? _lastGroup;

    private IngestGroup Group(GroupKey key)
    {
        // Calls of one model and hour mostly come together: comparing with the last key is cheaper than hashing it.
        if (_lastGroup is { } last && last.Key.Equals(key)) return last;
        if (!_groups.TryGetValue(key, out var group)) _groups[key] = group = new IngestGroup(key);
        return _lastGroup = group;
    }

    private DateTimeOffset _checkedStart, _checkedEnd;

    private void EnsureLoaded(DateTimeOffset start, DateTimeOffset end)
    {
        if (start == _checkedStart && end == _checkedEnd) return;
        (_checkedStart, _checkedEnd) = (start, end);
        var first = start.UtcDateTime.Date;
        var last = end.UtcDateTime.AddTicks(-1).Date;
        DateTime? missingFrom = null, missingTo = null;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (_loadedDays.Contains(day)) continue;
            missingFrom ??= day;
            missingTo = day;
        }
        if (missingFrom is not { } from || missingTo is not { } to) return;
        var spanFrom = new DateTimeOffset(from, TimeSpan.Zero);
        var spanTo = new DateTimeOffset(to.AddDays(1), TimeSpan.Zero);
        foreach (var entry in store.Load(tx, spanFrom, spanTo))
        {
            if (!_loadedEntries.Add(entry.UsageId)) continue;
            var r = entry.Row;
            var group = Group(new GroupKey(r.SourceSystem, r.ModelId, r.WindowStart.ToUniversalTime(), r.WindowEnd.ToUniversalTime(), r.UserId, r.ProjectId));
            group.Stored = r;
            group.StoredKind = entry.Kind;
            for (var offset = 0; offset + 16 <= entry.CallIds.Length; offset += 16)
                _counted.TryAdd(CallIdentity.Read(entry.CallIds.AsSpan(offset, 16)), group.StoredSlot);
        }
        for (var day = from; day <= to; day = day.AddDays(1)) _loadedDays.Add(day);
        if (LoadedFrom is null || spanFrom < LoadedFrom) LoadedFrom = spanFrom;
        if (LoadedTo is null || spanTo > LoadedTo) LoadedTo = spanTo;
    }
}
