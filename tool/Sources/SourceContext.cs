using TokenTelemetry.Configuration;
using TokenTelemetry.Http;
using TokenTelemetry.Pricing;

namespace TokenTelemetry.Sources;

/// <summary>What sources are built from: the instance, the pricer, the HTTP policy, the clock, and (in tests) the
/// HTTP handler to talk through.</summary>
public sealed record SourceContext(
    InstanceConfig Config,
    string InstanceDirectory,
    UsagePricer Pricer,
    HttpOptions Http,
    TimeProvider Clock,
    Action<string> Warn,
    HttpMessageHandler? HttpHandler = null);
