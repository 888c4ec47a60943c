using Scriban;
using Scriban.Runtime;

namespace TokenTelemetry.Rendering;

/// <summary>
/// Renders the embedded templates/ with Scriban. StrictVariables: a misspelt name throws instead of rendering
/// empty. Members are exposed in snake_case (Scriban's default renamer), matching the YAML and SQL names.
/// </summary>
public static class TemplateRenderer
{
    public static string Render(string templateName, ScriptObject model)
    {
        var resource = $"templates/{templateName}";
        var template = Template.Parse(EmbeddedAssets.ReadText(resource), resource);
        if (template.HasErrors)
            throw new InvalidOperationException($"{resource}: {string.Join("; ", template.Messages)}");
        var context = new TemplateContext { StrictVariables = true, EnableRelaxedMemberAccess = false };
        context.PushGlobal(model);
        return template.Render(context);
    }
}
