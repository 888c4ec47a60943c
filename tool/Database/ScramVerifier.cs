using System.Security.Cryptography;
using System.Text;

namespace TokenTelemetry.Database;

/// <summary>
/// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, the format of pg_authid.rolpassword).
/// CREATE/ALTER ROLE … PASSWORD accepts it in place of the password, so the clear-text secret never travels in a
/// DDL statement that a server with log_statement = ddl would write to its log.
/// </summary>
public static class ScramVerifier
{
    private const int Iterations = 4096; // PostgreSQL's default scram_iterations

    public static string Create(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(16);
        // PostgreSQL SASLpreps the password; NFKC is that for everything a config value realistically holds.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKC)), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
