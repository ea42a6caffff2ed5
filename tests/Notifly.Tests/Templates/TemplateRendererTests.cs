// Template rendering without a server: Handlebars escaping (HTML bodies escape, subjects and
// plain-text bodies do not), required variables, compile errors, the referenced-variable hint and
// locale fallback. Storage, versioning and sends are covered end to end in TemplateSendTests.
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Templates;
using Notifly.Grains.Templates;

namespace Notifly.Tests.Templates;

public class TemplateRendererTests
{
    private readonly TemplateRenderer _renderer = new();

    [Fact]
    public void Html_body_escapes_variables_while_subject_and_text_body_do_not()
    {
        var variables = Json("""{"name": "<script>alert(1)</script>", "company": "Tom & Jerry"}""");

        var email = _renderer.Render(Version(Channel.Email, "Hi {{company}}", "<p>Hello {{name}}</p>", html: true), variables);
        email.Subject.Should().Be("Hi Tom & Jerry");
        email.Body.Should().Be("<p>Hello &lt;script&gt;alert(1)&lt;/script&gt;</p>");

        var sms = _renderer.Render(Version(Channel.Sms, null, "Hello {{name}} from {{company}}", html: false), variables);
        sms.Body.Should().Be("Hello <script>alert(1)</script> from Tom & Jerry");
    }

    [Fact]
    public void Caches_a_saved_version_by_its_id_but_never_an_unsaved_draft()
    {
        var variables = Json("""{"name": "Ada"}""");
        var saved = Version(Channel.Sms, null, "Hello {{name}}", html: false);
        _renderer.Render(saved, variables).Body.Should().Be("Hello Ada");
        _renderer.Render(saved with { Body = "changed" }, variables).Body.Should().Be("Hello Ada", "a saved version's text never changes");

        var draft = saved with { Id = Guid.Empty };
        _renderer.Render(draft, variables).Body.Should().Be("Hello Ada");
        _renderer.Render(draft with { Body = "Bye {{name}}" }, variables).Body.Should().Be("Bye Ada", "every draft shares the empty id");
    }

    [Fact]
    public void Renders_nested_values_numbers_and_blocks()
    {
        var render = _renderer.Render(
            Version(Channel.Sms, null, "{{user.name}} has {{count}} items{{#if vip}} (VIP){{/if}}:{{#each items}} {{this}}{{/each}}", html: false),
            Json("""{"user": {"name": "Ada"}, "count": 3, "vip": true, "items": ["a", "b"]}"""));
        render.Body.Should().Be("Ada has 3 items (VIP): a b");
    }

    [Fact]
    public void Missing_or_null_required_variables_are_named_and_nothing_is_rendered()
    {
        var template = Version(Channel.Sms, null, "{{code}} {{name}}", html: false,
            new TemplateVariable("code", Required: true), new TemplateVariable("name", Required: true), new TemplateVariable("extra"));

        var render = _renderer.Render(template, Json("""{"name": null}"""));

        render.Succeeded.Should().BeFalse();
        render.Missing.Should().Equal("code", "name");
        render.Body.Should().BeNull();
    }

    [Fact]
    public void Reports_the_compiler_error_of_a_template_that_does_not_compile()
    {
        _renderer.CompileError("Hello {{#if name}}unclosed", html: true).Should().NotBeNullOrEmpty();
        _renderer.CompileError("Hello {{name}}", html: true).Should().BeNull();
    }

    [Fact]
    public void Finds_root_variables_but_not_those_inside_each_blocks()
    {
        TemplateReferences.Find("Hi {{user.name}} {{{raw}}}", "{{#if vip}}x{{else}}y{{/if}}{{#each items}}{{title}}{{/each}}{{@index}}")
            .Should().Equal("items", "raw", "user", "vip");
    }

    [Theory]
    [InlineData("fr-ca", new[] { "fr-CA", "fr", "" })]
    [InlineData("FR", new[] { "fr", "" })]
    [InlineData(null, new[] { "" })]
    public void Locale_fallback_tries_exact_then_language_then_default(string? locale, string[] expected)
    {
        LocaleFallback.Candidates(locale).Should().Equal(expected);
    }

    private static TemplateVersion Version(Channel channel, string? subject, string body, bool html, params TemplateVariable[] variables) =>
        new(Guid.NewGuid(), "t", channel, "", 1, subject, body, variables, html, true, "test", DateTimeOffset.UtcNow);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}
