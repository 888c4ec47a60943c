namespace TokenTelemetry.Verification;

/// <summary>One invariant check: whether it passed, the first offending rows (as column → value), and the fix.</summary>
public sealed record CheckResult(string Name, bool Passed, long Offending, IReadOnlyList<IReadOnlyDictionary<string, object?>> Examples, string Hint);
