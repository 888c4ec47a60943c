namespace TokenTelemetry.Http;

/// <summary>One series of a Prometheus range-vector answer: its labels and its raw (unix seconds, value) samples.</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(double Time, double Value)> Samples);
