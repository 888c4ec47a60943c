namespace TokenTelemetry.Ingest;

/// <summary>Rejected records as "file:line: reason", the first <see cref="Limit"/> kept and the rest counted, so a
/// file of a million bad lines reports them without holding them all.</summary>
public sealed class RejectionLog
{
    public const int Limit = 1000;
    private readonly List<string> _kept = [];

    public long More { get; private set; }
    public IReadOnlyList<string> Listed => _kept;
    public long Count => _kept.Count + More;

    public void Add(string where, string reason)
    {
        if (_kept.Count < Limit) _kept.Add($"{where}: {reason}");
        else More++;
    }
}
