namespace TokenTelemetry.Configuration;

/// <summary>libpq's sslmode values, written in config as disable, allow, prefer, require, verify-ca, verify-full.</summary>
public enum SslMode
{
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}
