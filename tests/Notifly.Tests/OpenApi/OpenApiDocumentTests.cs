// The OpenAPI document a real node serves (/openapi/v1.json) and the docs page over it (/docs):
// it passes Microsoft.OpenApi's reader and validation rules and the official OpenAPI 3.1 JSON
// schema (@seriousme/openapi-schema-validator, under Node.js); every JSON body, API-key
// requirement and problem answer is described; the docs load without a key and without any
// host but the node. Which examples the API accepts is OpenApiExamplesTests' part.
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.OpenApi;

public partial class OpenApiDocumentTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    /// <summary>The operations whose handler reads a JSON body through JsonBody.ReadAsync.</summary>
    private static readonly string[] JsonBodyOperations =
    [
        "SendNotification", "SendNotificationBatch", "CreateApiKey", "PutTenantSettings", "CreateTemplateVersion", "PreviewTemplate",
        "RenderTemplateDraft", "CreateWebhookEndpoint", "UpdateWebhookEndpoint", "PutRecipient", "PutRecipientPreferences", "CreateProvider", "ReplaceProvider",
        "CreateTenant", "UpdateTenant", "Login", "RefreshToken", "SetPassword", "InviteUser", "UpdateUser",
    ];

    /// <summary>No API key: the signed unsubscribe token or the provider's signature is the authority.</summary>
    private static readonly string[] PublicOperations =
    [
        "OneClickUnsubscribe", "UnsubscribePage", "TwilioStatusCallback", "TwilioProviderStatusCallback",
        "SendGridEventWebhook", "SendGridProviderEventWebhook", "Login", "RefreshToken", "Logout", "SetPassword",
    ];

    [Fact]
    public async Task Document_reads_and_validates_without_errors()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);

        var (document, diagnostic) = OpenApiDocument.Parse(served.Text, "json");

        diagnostic!.Errors.Should().BeEmpty("the reader found: {0}", string.Join("; ", diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        document.Should().NotBeNull();
        diagnostic.SpecificationVersion.Should().Be(OpenApiSpecVersion.OpenApi3_1);
        var errors = document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!.ToList();
        errors.Should().BeEmpty("validation found: {0}", string.Join("; ", errors.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public async Task Document_passes_the_official_OpenApi_3_1_schema()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);
        var file = Path.Combine(Path.GetTempPath(), $"notifly-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, served.Text);
        try
        {
            var result = await ProcessRunner.RunUncheckedAsync("node", [ValidatorCli(), file], CancellationToken.None);

            result.ExitCode.Should().Be(0, $"{result.CommandLine} said {result.StandardOutput}{result.StandardError}");
            result.StandardOutput.Should().Contain("\"valid\": true");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Lists_every_mapped_operation_once()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);
        var documented = served.Operations().Select(o => (string?)o.Operation["operationId"]).ToList();

        documented.Should().OnlyHaveUniqueItems().And.NotContainNulls();
        documented.Should().BeEquivalentTo(DescribedEndpoints().Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName));
    }

    [Fact]
    public async Task Every_operation_that_reads_a_json_body_describes_it_with_a_schema()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);

        var withBody = served.Operations().Where(o => o.Operation["requestBody"] is not null).Select(o => (string)o.Operation["operationId"]!);
        withBody.Should().BeEquivalentTo(JsonBodyOperations);
        foreach (var id in JsonBodyOperations)
        {
            var body = served.Operation(id)["requestBody"]!;
            ((bool?)body["required"]).Should().BeTrue(id);
            var schema = served.Resolve(body["content"]!["application/json"]!["schema"]!);
            ((string?)schema["type"]).Should().Be("object", $"{id}'s body is a JSON object");
            schema["properties"]!.AsObject().Should().NotBeEmpty(id);
        }
    }

    [Fact]
    public async Task Authorized_operations_require_the_api_key_and_public_ones_do_not()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);
        var scheme = served.Root["components"]!["securitySchemes"]!["ApiKey"]!;
        ((string?)scheme["type"]).Should().Be("http");
        ((string?)scheme["scheme"]).Should().Be("bearer");

        var endpoints = DescribedEndpoints().ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);
        foreach (var (path, method, operation) in served.Operations())
        {
            var id = (string)operation["operationId"]!;
            var requirements = operation["security"]?.AsArray().Select(r => string.Join(",", r!.AsObject().Select(p => p.Key))).ToArray() ?? [];
            if (endpoints[id].Metadata.GetMetadata<IAuthorizeData>() is null)
            {
                requirements.Should().BeEmpty($"{method} {path} is public");
                PublicOperations.Should().Contain(id, "only the unsubscribe links, provider callbacks and sign-in are public");
            }
            else if (endpoints[id].Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == "operator"))
            {
                requirements.Should().Equal(["Operator"], $"{method} {path} is the operator API's");
            }
            else
            {
                requirements.Should().Equal(["ApiKey", "AccessToken"], $"{method} {path} requires a key or a user's token");
            }
        }

        served.Operations().Count(o => o.Operation["security"] is null).Should().Be(PublicOperations.Length);
    }

    [Fact]
    public async Task Every_operation_documents_its_problems_with_the_problem_schema()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);

        foreach (var (path, method, operation) in served.Operations())
        {
            var responses = operation["responses"]!.AsObject();
            var problems = responses.Where(r => r.Key[0] is '4' or '5').ToList();
            problems.Should().Contain(r => r.Key[0] == '4', $"{method} {path} can be refused");
            problems.Select(r => r.Key).Should().Contain(["500", "503"], $"{method} {path} can meet a bug or an unreachable database");
            foreach (var (status, reference) in problems)
            {
                var response = served.Resolve(reference!);
                ((string?)response["description"]).Should().NotBeNullOrWhiteSpace();
                var media = response["content"]![ProblemMediaType]!;
                var schema = served.Resolve(media["schema"]!);
                schema["required"]!.AsArray().Select(n => (string?)n).Should().Contain("code", $"{method} {path} {status}");
                schema["properties"]!["errors"]!["additionalProperties"]!["items"]!["type"]!.GetValue<string>().Should().Be("string");
                ((int?)media["example"]!["status"]).Should().Be(int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var send = served.Operation("SendNotification")["responses"]!.AsObject().Select(r => r.Key);
        send.Should().Contain(["400", "401", "404", "409", "413", "415", "429"]);
        served.Operation("ListApiKeys")["responses"]!.AsObject().Select(r => r.Key).Should().Contain("403", "admin operations refuse SERVICE keys");
        served.Operation("ListTemplates")["responses"]!.AsObject().Select(r => r.Key).Should().Contain("403", "a suspended tenant's keys are refused");
        served.Operation("CreateTenant")["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["401", "409"]).And.NotContain("403");
    }

    [Fact]
    public async Task Send_notification_shows_an_example_and_enums_show_their_wire_names()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);

        var body = served.Operation("SendNotification")["requestBody"]!["content"]!["application/json"]!;
        var example = body["example"]!;
        ((string?)example["eventType"]).Should().NotBeNullOrEmpty();
        ((string?)example["priority"]).Should().Be("high");
        var schemas = served.Root["components"]!["schemas"]!;
        schemas["Priority"]!["enum"]!.AsArray().Select(n => (string?)n).Should().Equal("instant", "high", "normal", "low");
        schemas["Channel"]!["enum"]!.AsArray().Select(n => (string?)n).Should().Equal("EMAIL", "SMS", "PUSH", "WEBHOOK");
        // Plain strings in C#, a fixed set on the wire.
        schemas["TenantSettings"]!["properties"]!["disabledChannels"]!["items"]!["enum"]!.AsArray().Select(n => (string?)n)
            .Should().Equal("EMAIL", "SMS", "PUSH", "WEBHOOK");
        schemas["WebhookEndpointRequest"]!["properties"]!["events"]!["items"]!["enum"]!.AsArray().Select(n => (string?)n)
            .Should().Contain(["notification.delivered", "notification.failed"]).And.NotContain("webhook.test");
        var accepted = served.Operation("SendNotification")["responses"]!["202"]!["content"]!["application/json"]!["example"]!;
        ((string?)accepted["status"]).Should().Be("ACCEPTED");
    }

    // Regression: declaring bodies with .Accepts<T>() put routing's content-type matcher in front
    // of authentication, so a keyless text/plain POST got a bare 415 instead of 401.
    [Fact]
    public async Task A_non_json_body_is_still_refused_by_auth_first_and_then_by_the_handler()
    {
        using var anonymous = fixture.Node.Client();
        var keyless = await anonymous.PostAsync("/api/notifications", new StringContent("eventType=a", Encoding.UTF8, "text/plain"));
        keyless.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await keyless.ProblemAsync()).GetProperty("code").GetString().Should().Be("INVALID_API_KEY");

        var tenant = await fixture.Node.CreateTenantAsync();
        var keyed = await tenant.Http.PutAsync("/api/admin/settings", new StringContent("rateLimits=1", Encoding.UTF8, "text/plain"));
        keyed.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await keyed.ProblemAsync()).GetProperty("code").GetString().Should().Be("UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task Docs_page_and_its_assets_load_without_a_key_from_this_node_alone()
    {
        using var http = fixture.Node.Client();

        var page = await http.GetAsync("/docs");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await page.Content.ReadAsStringAsync();
        var assets = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        assets.Should().Contain(a => a.EndsWith("swagger-ui-bundle.js", StringComparison.Ordinal)).And.Contain(a => a.EndsWith(".css", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            asset.Should().NotMatchRegex("^(https?:)?//", "the page must work where no CDN can be reached");
            var response = await http.GetAsync(new Uri(page.RequestMessage!.RequestUri!, asset));
            response.StatusCode.Should().Be(HttpStatusCode.OK, asset);
            (await response.Content.ReadAsByteArrayAsync()).Should().NotBeEmpty(asset);
        }

        var config = await http.GetStringAsync(new Uri(page.RequestMessage!.RequestUri!, "index.js"));
        config.Should().Contain("\"url\":\"/openapi/v1.json\"");
        config.Should().NotContain("\"validatorUrl\":\"http", "the online spec validator would call out to swagger.io");
    }

    private const string ProblemMediaType = "application/problem+json";

    /// <summary>The endpoints the document should describe: named, and not excluded (dev-only, probes, metrics).</summary>
    private IEnumerable<Endpoint> DescribedEndpoints() =>
        fixture.Node.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true });

    /// <summary>@seriousme/openapi-schema-validator's CLI, which scripts/ensure-deps.sh installs beside the tests' sources.</summary>
    private static string ValidatorCli()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var cli = Path.Combine(dir.FullName, "tests", "openapi-validator", "node_modules", ".bin", "validate-api");
            if (File.Exists(cli))
            {
                return cli;
            }
        }

        throw new InvalidOperationException("tests/openapi-validator is not installed: run scripts/ensure-deps.sh (test.sh does).");
    }

    [GeneratedRegex("""(?:src|href)="(?<url>[^"]+)""")]
    private static partial Regex AssetReference();
}
