using Shouldly;
using TokenTelemetry.Configuration;
using TokenTelemetry.Tests.Support;

namespace TokenTelemetry.Tests.Unit;

public sealed class InstanceLocatorTests : IDisposable
{
    private readonly string _root = TestRun.NewFolder("tt-locator-");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MakeInstance(string name)
    {
        var dir = Path.Combine(_root, "instances", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.yaml"), "");
        return dir;
    }

    [Fact]
    public void Without_a_choice_the_only_instance_besides_the_example_is_used()
    {
        MakeInstance("example");
        var prod = MakeInstance("prod");
        InstanceLocator.ResolveConfigPath(null, _root, _ => null).ShouldBe(Path.Combine(prod, "config.yaml"));
    }

    [Fact]
    public void Several_instances_without_a_choice_is_an_error_listing_them()
    {
        MakeInstance("a");
        MakeInstance("b");
        var error = Should.Throw<TelemetryException>(() => InstanceLocator.ResolveConfigPath(null, _root, _ => null));
        error.ToErrorLine().ShouldBe("error: several instances under ./instances (a, b) (pass --instance <name> or set TT_INSTANCE)");
    }

    [Fact]
    public void A_name_a_folder_a_config_path_and_TT_INSTANCE_all_resolve()
    {
        var prod = MakeInstance("prod");
        MakeInstance("other");
        var expected = Path.Combine(prod, "config.yaml");
        InstanceLocator.ResolveConfigPath("prod", _root, _ => null).ShouldBe(expected);
        InstanceLocator.ResolveConfigPath("instances/prod", _root, _ => null).ShouldBe(expected);
        InstanceLocator.ResolveConfigPath(expected, _root, _ => null).ShouldBe(expected);
        InstanceLocator.ResolveConfigPath(null, _root, n => n == "TT_INSTANCE" ? "prod" : null).ShouldBe(expected);
    }

    [Fact]
    public void An_unknown_instance_says_how_to_create_it()
    {
        var error = Should.Throw<TelemetryException>(() => InstanceLocator.ResolveConfigPath("nope", _root, _ => null));
        error.Hint.ShouldBe("create it with `token-telemetry init nope`, or pass a folder or config.yaml path");
    }
}
