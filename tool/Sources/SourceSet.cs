using System.Collections;
using TokenTelemetry.Configuration;

namespace TokenTelemetry.Sources;

/// <summary>The sources built for one run, owned: disposing the set disposes every source that holds something (an
/// HTTP client), so no caller writes that loop again.</summary>
public sealed class SourceSet(IReadOnlyList<ICollectionSource> sources) : IReadOnlyList<ICollectionSource>, IDisposable
{
    public static SourceSet Create(SourceContext context, IReadOnlyList<ConfigProblem> sourceProblems, IReadOnlyCollection<string>? only = null) =>
        new(SourceFactory.Create(context, sourceProblems, only));

    public int Count => sources.Count;
    public ICollectionSource this[int index] => sources[index];
    public IEnumerator<ICollectionSource> GetEnumerator() => sources.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var source in sources.OfType<IDisposable>()) source.Dispose();
    }
}
