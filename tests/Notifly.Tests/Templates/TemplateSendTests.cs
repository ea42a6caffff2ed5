// Templates end to end through a real node: versions created and activated over the admin API,
// sends that name a template rendered at intake and delivered by SMTP and webhook, the rendering
// kept by a scheduled notification when a newer version is activated, HTML escaping, rendering
// errors (missing variable → 400, unknown template → 404, nothing stored), preview, locale
// fallback, tenant isolation and the ADMIN-only writes. Handlebars details are in
// TemplateRendererTests; Kafka sends with templates in KafkaIngestionTests.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Templates;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;

namespace Notifly.Tests.Templates;

public class TemplateSendTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Sends_email_rendered_from_the_template_with_variables_escaped_in_the_html_body()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var created = await CreateAsync(tenant.Http, new
        {
            name = "welcome", channel = "EMAIL", subject = "Welcome, {{name}}!",
            body = "<p>Hello {{name}}, your code is {{code}}.</p>",
            variables = new[] { new { name = "name", required = true }, new { name = "code", required = true } },
        });
        created.Version.Should().Be(1);
        created.Active.Should().BeTrue("the first version of a template is active at once");

        var email = $"ada-{Guid.NewGuid():N}@example.com";
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup", channels = new[] { "EMAIL" }, recipient = new { email }, template = "welcome",
            payload = new { name = "Ada & co", code = "<script>alert(1)</script>" },
        });

        var mail = (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(email, StringComparison.Ordinal) == true)).Single();
        mail.Subject.Should().Be("Welcome, Ada & co!", "subjects are plain text, never HTML-escaped");
        mail.Body.Should().Contain("<p>Hello Ada &amp; co, your code is &lt;script&gt;alert(1)&lt;/script&gt;.</p>");
        mail.Header("Content-Type").Should().StartWith("text/html", "an HTML template's body goes out as HTML");
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);

        // A caller's own body stays plain text: nothing in it was escaped for HTML.
        var plainTo = $"plain-{Guid.NewGuid():N}@example.com";
        await tenant.Http.SendOkAsync(new
        {
            eventType = "user.signup", channels = new[] { "EMAIL" }, recipient = new { email = plainTo },
            subject = "Hi", body = "<b>not html</b>", payload = new { },
        });
        var plain = (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(plainTo, StringComparison.Ordinal) == true)).Single();
        plain.Header("Content-Type").Should().StartWith("text/plain");
    }

    [Fact]
    public async Task Scheduled_notification_keeps_the_version_it_rendered_when_a_newer_one_is_activated()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await CreateAsync(tenant.Http, new { name = "order", channel = "WEBHOOK", body = "v1: order {{id}} shipped" });

        var scheduled = await tenant.Http.SendOkAsync(WebhookSend(receiver.Url, "order", new { id = "A1" }, DateTimeOffset.UtcNow.AddSeconds(3)));
        scheduled.Status.Should().Be(NotificationStatus.Scheduled);

        var v2 = await CreateAsync(tenant.Http, new { name = "order", channel = "WEBHOOK", body = "v2: your order {{id}} is on its way" });
        v2.Version.Should().Be(2);
        v2.Active.Should().BeFalse("a new version of a template in use waits for activation");
        var activate = await tenant.Http.PostAsync("/api/admin/templates/order/versions/2/activate", null);
        activate.StatusCode.Should().Be(HttpStatusCode.OK, await activate.Content.ReadAsStringAsync());

        var later = await tenant.Http.SendOkAsync(WebhookSend(receiver.Url, "order", new { id = "B2" }));

        var bodies = (await receiver.WaitForRequestsAsync(2, Wait)).ToDictionary(
            r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("notificationId").GetGuid(),
            r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("body").GetString());
        bodies[scheduled.RequestId].Should().Be("v1: order A1 shipped");
        bodies[later.RequestId].Should().Be("v2: your order B2 is on its way");

        var versions = await (await tenant.Http.GetAsync("/api/admin/templates/order")).ReadAsync<List<TemplateVersionView>>();
        versions.Select(v => (v.Version, v.Active)).Should().Equal((2, true), (1, false));
        var list = await (await tenant.Http.GetAsync("/api/admin/templates")).ReadAsync<List<TemplateSummary>>();
        list.Should().ContainSingle().Which.Should().Match<TemplateSummary>(t => t.LatestVersion == 2 && t.ActiveVersion == 2);
    }

    [Fact]
    public async Task Missing_required_variable_is_refused_naming_it_and_nothing_is_stored()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant.Http, new
        {
            name = "reset", channel = "WEBHOOK", body = "Reset with {{code}}",
            variables = new[] { new { name = "code", required = true } },
        });

        var response = await tenant.Http.SendAsync(WebhookSend("https://example.com/hook", "reset", new { other = 1 }));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").GetProperty("payload.code")[0].GetString().Should().Contain("'code'");
        (await tenant.Http.ListAllIdsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Unknown_template_is_404_TEMPLATE_NOT_FOUND_and_nothing_is_stored()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant.Http, new { name = "known", channel = "WEBHOOK", body = "hi" });

        foreach (var send in new[]
        {
            WebhookSend("https://example.com/hook", "unknown", new { }),
            WebhookSend("https://example.com/hook", "known", new { }, version: 7),
        })
        {
            var response = await tenant.Http.SendAsync(send);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await response.ProblemAsync()).GetProperty("code").GetString().Should().Be("TEMPLATE_NOT_FOUND");
        }

        var email = await tenant.Http.SendAsync(new
        {
            eventType = "x", channels = new[] { "EMAIL" }, recipient = new { email = "a@example.com" }, template = "known", payload = new { },
        });
        email.StatusCode.Should().Be(HttpStatusCode.NotFound, "the template exists for WEBHOOK only");
        (await tenant.Http.ListAllIdsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Preview_renders_with_the_declared_samples_or_the_given_variables_without_escaping_plain_text()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant.Http, new
        {
            name = "otp", channel = "SMS", body = "Code {{code}} for {{name}}",
            variables = new object[] { new { name = "code", required = true, sample = "123456" }, new { name = "name", sample = "<b>Ada</b>" } },
        });

        var sampled = await PreviewAsync(tenant.Http, "otp", new { });
        sampled.Body.Should().Be("Code 123456 for <b>Ada</b>");
        sampled.Version.Should().Be(1);

        var given = await PreviewAsync(tenant.Http, "otp", new { variables = new { code = "9", name = "Bo" } });
        given.Body.Should().Be("Code 9 for Bo");

        var missing = await tenant.Http.PostAsJsonAsync("/api/admin/templates/otp/preview", new { variables = new { name = "Bo" } });
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.ProblemAsync()).GetProperty("errors").GetProperty("variables.code").GetArrayLength().Should().Be(1);

        var unknown = await tenant.Http.PostAsJsonAsync("/api/admin/templates/nope/preview", new { });
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.ProblemAsync()).GetProperty("code").GetString().Should().Be("TEMPLATE_NOT_FOUND");
    }

    [Fact]
    public async Task A_draft_renders_as_a_saved_version_would_and_nothing_is_stored()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var rendered = await tenant.Http.PostAsJsonAsync("/api/admin/templates/render",
            new { channel = "EMAIL", subject = "Hi {{name}}", body = "<p>Hello {{name}}</p>", variables = new { name = "<Ada>" } });
        ((int)rendered.StatusCode).Should().Be(200, await rendered.Content.ReadAsStringAsync());
        var draft = await rendered.ReadAsync<RenderedTemplate>();
        draft.Subject.Should().Be("Hi <Ada>", "subjects are plain text");
        draft.Body.Should().Be("<p>Hello &lt;Ada&gt;</p>", "an EMAIL body is HTML, and variables are escaped in it as in a send");

        // a draft declares no variables, so one left out renders empty, as an undeclared one does in a send
        var missing = await tenant.Http.PostAsJsonAsync("/api/admin/templates/render", new { channel = "SMS", body = "Code {{code}}." });
        (await missing.ReadAsync<RenderedTemplate>()).Body.Should().Be("Code .");
        var broken = await tenant.Http.PostAsJsonAsync("/api/admin/templates/render", new { channel = "SMS", body = "Code {{#if code}}unclosed" });
        broken.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await broken.ProblemAsync()).GetProperty("errors").TryGetProperty("body", out _).Should().BeTrue();
        var noChannel = await tenant.Http.PostAsJsonAsync("/api/admin/templates/render", new { body = "x" });
        (await noChannel.ProblemAsync()).GetProperty("errors").TryGetProperty("channel", out _).Should().BeTrue();

        (await (await tenant.Http.GetAsync("/api/admin/templates")).ReadAsync<List<TemplateSummary>>()).Should().BeEmpty("a draft is never stored");
    }

    [Fact]
    public async Task Falls_back_from_the_exact_locale_to_its_language_then_to_the_default()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await CreateAsync(tenant.Http, new { name = "bye", channel = "WEBHOOK", body = "Goodbye {{name}}" });
        await CreateAsync(tenant.Http, new { name = "bye", channel = "WEBHOOK", locale = "fr", body = "Au revoir {{name}}" });
        await CreateAsync(tenant.Http, new { name = "bye", channel = "WEBHOOK", locale = "fr-CA", body = "Bye-bye {{name}}" });

        (await PreviewAsync(tenant.Http, "bye", new { locale = "fr-CA", variables = new { name = "Ada" } })).Body.Should().Be("Bye-bye Ada");
        (await PreviewAsync(tenant.Http, "bye", new { locale = "fr-BE", variables = new { name = "Ada" } })).Body.Should().Be("Au revoir Ada");
        (await PreviewAsync(tenant.Http, "bye", new { locale = "de-DE", variables = new { name = "Ada" } })).Body.Should().Be("Goodbye Ada");

        var accepted = await tenant.Http.SendOkAsync(WebhookSend(receiver.Url, "bye", new { name = "Ada" }, locale: "fr-BE"));
        var request = (await receiver.WaitForRequestsAsync(1, Wait)).Single();
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("data").GetProperty("notificationId").GetGuid().Should().Be(accepted.RequestId);
        body.RootElement.GetProperty("data").GetProperty("body").GetString().Should().Be("Au revoir Ada");
    }

    [Fact]
    public async Task Another_tenant_can_neither_see_nor_use_the_template()
    {
        var owner = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        await CreateAsync(owner.Http, new { name = "secret", channel = "WEBHOOK", body = "for owner only" });

        (await other.Http.GetAsync("/api/admin/templates/secret")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await other.Http.GetAsync("/api/admin/templates")).ReadAsync<List<TemplateSummary>>()).Should().BeEmpty();
        (await other.Http.PostAsJsonAsync("/api/admin/templates/secret/preview", new { })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Http.PostAsync("/api/admin/templates/secret/versions/1/activate", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var send = await other.Http.SendAsync(WebhookSend("https://example.com/hook", "secret", new { }));
        send.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await send.ProblemAsync()).GetProperty("code").GetString().Should().Be("TEMPLATE_NOT_FOUND");
    }

    [Fact]
    public async Task Service_key_reads_and_previews_but_cannot_create_or_activate()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant.Http, new { name = "ping", channel = "WEBHOOK", body = "pong" });
        var key = await (await tenant.Http.PostAsJsonAsync("/api/admin/api-keys", new { name = "backend", role = "SERVICE" })).ReadAsync<CreatedApiKey>();
        using var service = fixture.Node.Client(key.Secret);

        (await service.GetAsync("/api/admin/templates/ping")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await PreviewAsync(service, "ping", new { })).Body.Should().Be("pong");
        (await service.PostAsJsonAsync("/api/admin/templates", new { name = "ping", channel = "WEBHOOK", body = "x" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await service.PostAsync("/api/admin/templates/ping/versions/1/activate", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Refuses_a_template_that_does_not_compile_naming_the_error()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var response = await tenant.Http.PostAsJsonAsync("/api/admin/templates", new { name = "broken", channel = "EMAIL", body = "{{#if x}}never closed" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ProblemAsync();
        problem.GetProperty("code").GetString().Should().Be("VALIDATION_FAILED");
        problem.GetProperty("errors").GetProperty("body")[0].GetString().Should().StartWith("body does not compile:");
        (await tenant.Http.GetAsync("/api/admin/templates/broken")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_shows_what_the_template_rendered_and_which_version()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await CreateAsync(tenant.Http, new { name = "order", channel = "WEBHOOK", body = "v1: order {{id}} shipped" });
        await CreateAsync(tenant.Http, new { name = "order", channel = "WEBHOOK", body = "v2: order {{id}} is on its way" });
        (await tenant.Http.PostAsync("/api/admin/templates/order/versions/2/activate", null)).EnsureSuccessStatusCode();

        var accepted = await tenant.Http.SendOkAsync(WebhookSend(receiver.Url, "order", new { id = "A7" }));

        var content = (await tenant.Http.GetNotificationAsync(accepted.RequestId)).Content;
        content.Body.Should().Be("v2: order A7 is on its way");
        content.Template.Should().Be(new NotificationTemplate("order", 2, null));
        content.Payload.GetProperty("id").GetString().Should().Be("A7");
        content.Recipient.WebhookUrl.Should().Be(receiver.Url);
    }

    private static object WebhookSend(string url, string template, object payload, DateTimeOffset? sendAt = null, int? version = null, string? locale = null) => new
    {
        eventType = "order.shipped", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = url },
        template, templateVersion = version, locale, payload, sendAt,
    };

    private static async Task<TemplateCreated> CreateAsync(HttpClient http, object request)
    {
        var response = await http.PostAsJsonAsync("/api/admin/templates", request);
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<TemplateCreated>();
    }

    private static async Task<RenderedTemplate> PreviewAsync(HttpClient http, string name, object request)
    {
        var response = await http.PostAsJsonAsync($"/api/admin/templates/{name}/preview", request);
        ((int)response.StatusCode).Should().Be(200, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<RenderedTemplate>();
    }
}
