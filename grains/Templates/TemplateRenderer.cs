using System.Collections.Concurrent;
using System.Text.Json;
using HandlebarsDotNet;

namespace Notifly.Grains.Templates;

/// <summary>
/// Compiles and renders Handlebars templates. A version's text never changes after it is
/// written, so its compiled delegates are cached by version id for the life of the process:
/// intake compiles a version once per node, not once per request. Unsaved drafts (id
/// <see cref="Guid.Empty"/>) are never cached.
/// </summary>
public sealed class TemplateRenderer
{
    // A runaway cache (a tenant minting versions in a loop) is cleared rather than grown: the
    // cost is recompiling what is still in use, never a wrong render.
    private const int MaxCached = 10_000;

    // HTML bodies escape variables ({{ }}, Handlebars' default); subjects and plain-text bodies
    // (SMS, PUSH, WEBHOOK) must not, or "Tom & Jerry" arrives as "Tom &amp; Jerry".
    private readonly IHandlebars _html = Handlebars.Create(new HandlebarsConfiguration());
    private readonly IHandlebars _text = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true });
    private readonly ConcurrentDictionary<Guid, Compiled> _cache = new();

    /// <summary>The compiler's complaint about <paramref name="source"/>, or null when it compiles.</summary>
    public string? CompileError(string source, bool html)
    {
        try
        {
            Compile(source, html);
            return null;
        }
        catch (HandlebarsException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Renders <paramref name="template"/> with <paramref name="variables"/> (a JSON object), or
    /// names the required variables that are missing (absent or null) and renders nothing.
    /// </summary>
    public TemplateRender Render(TemplateVersion template, JsonElement variables)
    {
        var missing = template.Variables
            .Where(v => v.Required && (variables.ValueKind != JsonValueKind.Object
                || !variables.TryGetProperty(v.Name, out var value) || value.ValueKind == JsonValueKind.Null))
            .Select(v => v.Name)
            .ToArray();
        if (missing.Length > 0)
        {
            return new TemplateRender(null, null, missing);
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        // An unsaved draft (id Guid.Empty, the editor's preview) is compiled each time: its text is
        // not fixed, and every draft shares that id.
        var compiled = template.Id == Guid.Empty ? CompileAll(template) : _cache.GetOrAdd(template.Id, _ => CompileAll(template));
        var context = JsonValues.ToObject(variables);
        return new TemplateRender(compiled.Subject?.Invoke(context).ReplaceLineEndings(" "), compiled.Body(context), []);
    }

    private HandlebarsTemplate<object, object> Compile(string source, bool html) => (html ? _html : _text).Compile(source);

    private Compiled CompileAll(TemplateVersion template) =>
        new(template.Subject is null ? null : Compile(template.Subject, html: false), Compile(template.Body, template.Html));

    private sealed record Compiled(HandlebarsTemplate<object, object>? Subject, HandlebarsTemplate<object, object> Body);
}
