using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TokenTelemetry.Database;

/// <summary>One sql/V{version}__{name}.sql file shipped in the tool, with the SHA-256 of its (LF) text.</summary>
public sealed partial record Migration(int Version, string Name, string FileName, string Sql)
{
    /// <summary>Computed, not stored, so that a copy with other SQL (`with { Sql = … }`) never keeps a stale checksum.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    [GeneratedRegex(@"^V(\d{4})__([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();

    public static IReadOnlyList<Migration> LoadEmbedded()
    {
        var migrations = EmbeddedAssets.List("sql/").Select(resource =>
        {
            var fileName = resource["sql/".Length..];
            var match = FileNamePattern().Match(fileName);
            if (!match.Success) throw new InvalidOperationException($"migration file {fileName} is not named V0000__name.sql");
            return new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, fileName, EmbeddedAssets.ReadText(resource));
        }).OrderBy(m => m.Version).ToList();
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"two migrations share version {duplicate.Key}");
        return migrations;
    }
}
