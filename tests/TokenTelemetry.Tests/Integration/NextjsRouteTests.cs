using System.Diagnostics;
using System.Text.Json;
using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Rendering;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Integration;

/// <summary>
/// The rendered Next.js route's group whitelist, executed by node (the same runtime Next.js runs it on): only the
/// table's own keys pass, so ?group=constructor, __proto__ or toString is a 400 — with `in`, an inherited name passed
/// and put a function's source text into the SQL, a 500. (The route's SQL itself runs in GrafanaKitTests.)
/// </summary>
public sealed class NextjsRouteTests
{
    private static string Route()
    {
        var example = InstanceLocator.Load(Path.Combine(RepoPaths.Root, "instances", "example"), RepoPaths.Root, requireSources: false, environment: _ => "set");
        return GrafanaKit.Render(example).Single(f => f.Path == "nextjs/app/api/token-usage/route.ts").Content;
    }

    /// <summary>The whitelist and its lookup, from the rendered TypeScript, with its two type annotations removed.</summary>
    private static string Whitelist(string route)
    {
        var start = route.IndexOf("const GROUPS", StringComparison.Ordinal);
        var end = route.IndexOf("export async function GET", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0);
        end.ShouldBeGreaterThan(start);
        var code = route[start..end]
            .Replace("const GROUPS: Record<string, string> =", "const GROUPS =", StringComparison.Ordinal)
            .Replace("function groupColumn(group: string): string | undefined {", "function groupColumn(group) {", StringComparison.Ordinal);
        code.ShouldNotContain(": string", customMessage: "the route's TypeScript changed shape: update the annotations this test removes");
        return code;
    }

    [Fact]
    public async Task Only_the_whitelists_own_keys_become_sql_and_inherited_names_are_refused()
    {
        string[] probes = ["provider", "source", "model", "day", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "user", ""];
        var script = Whitelist(Route()) + "\nconsole.log(JSON.stringify(JSON.parse(process.argv[1]).map(g => groupColumn(g) ?? null)));";

        var info = new ProcessStartInfo("node", ["-e", script, JsonSerializer.Serialize(probes)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(info)!;
        var stdout = await node.StandardOutput.ReadToEndAsync();
        var stderr = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();

        node.ExitCode.ShouldBe(0, stderr);
        JsonSerializer.Deserialize<string?[]>(stdout).ShouldBe([
            "provider", "source_system", "model_id", "to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
            null, null, null, null, null, null, null,
        ]);
    }

    [Fact]
    public void The_handler_uses_the_own_key_lookup_for_both_the_check_and_the_sql()
    {
        var route = Route();
        route.ShouldContain("const column = groupColumn(group);\n  if (column === undefined) return NextResponse.json({ error: `group must be one of ${Object.keys(GROUPS).join(\", \")}` }, { status: 400 });");
        route.ShouldContain("SELECT ${column} AS key,");
        route.ShouldNotContain(" in GROUPS");
        route.ShouldNotContain("GROUPS[group]}");
    }
}
