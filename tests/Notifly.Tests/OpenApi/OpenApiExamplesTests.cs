// The examples in the OpenAPI document are real: each reads as the type it illustrates with no
// unknown member, and the request examples, played in order against a real node as /docs'
// "Try it out" would send them, are accepted. Not covered: the webhook-endpoint example's URL,
// which does not resolve here (its other fields are checked).
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Notifly.Api.OpenApi;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.OpenApi;

public class OpenApiExamplesTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly JsonSerializerOptions Strict = new(Json.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

    public static TheoryData<string> ExampleTypes()
    {
        var names = new TheoryData<string>();
        foreach (var type in RequestExamples.ByType.Keys.Concat(ResponseExamples.ByType.Keys))
        {
            names.Add(Describe(type));
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(ExampleTypes))]
    public void Example_reads_as_its_type_with_no_unknown_member(string typeName)
    {
        var (type, example) = RequestExamples.ByType.Concat(ResponseExamples.ByType).First(e => Describe(e.Key) == typeName);

        var read = () => JsonSerializer.Deserialize(example, type, Strict);

        read.Should().NotThrow().Which.Should().NotBeNull();
    }

    [Fact]
    public async Task Request_examples_are_accepted_in_turn_by_a_real_node()
    {
        var served = await ServedDocument.FetchAsync(fixture.Node);
        var tenant = await fixture.Node.CreateTenantAsync();
        JsonNode Example(string operationId) => served.Operation(operationId)["requestBody"]!["content"]!["application/json"]!["example"]!;

        await ShouldAnswerAsync(tenant, HttpMethod.Put, "/api/admin/settings", Example("PutTenantSettings"), HttpStatusCode.OK);
        var template = Example("CreateTemplateVersion");
        await ShouldAnswerAsync(tenant, HttpMethod.Post, "/api/admin/templates", template, HttpStatusCode.Created);
        await ShouldAnswerAsync(tenant, HttpMethod.Post, $"/api/admin/templates/{template["name"]}/preview", Example("PreviewTemplate"), HttpStatusCode.OK);
        // The batch example names this user and template.
        await ShouldAnswerAsync(tenant, HttpMethod.Put, "/api/recipients/user-42", Example("PutRecipient"), HttpStatusCode.Created);
        await ShouldAnswerAsync(tenant, HttpMethod.Put, "/api/recipients/user-42/preferences", Example("PutRecipientPreferences"), HttpStatusCode.OK);
        await ShouldAnswerAsync(tenant, HttpMethod.Post, "/api/notifications", Example("SendNotification"), HttpStatusCode.Accepted);
        var batch = await ShouldAnswerAsync(tenant, HttpMethod.Post, "/api/notifications/batch", Example("SendNotificationBatch"), HttpStatusCode.OK);
        ((int)batch["rejected"]!).Should().Be(0, batch.ToJsonString());
        await ShouldAnswerAsync(tenant, HttpMethod.Post, "/api/admin/api-keys", Example("CreateApiKey"), HttpStatusCode.Created);
        await ShouldAnswerAsync(tenant, HttpMethod.Post, "/api/admin/providers", Example("CreateProvider"), HttpStatusCode.Created);

        // Its URL's host does not resolve here: accepted where it does, else refused for the URL alone.
        var webhook = await Send(tenant, HttpMethod.Post, "/api/webhooks", Example("CreateWebhookEndpoint"));
        if (webhook.StatusCode != HttpStatusCode.Created)
        {
            webhook.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            var errors = (await webhook.ProblemAsync()).GetProperty("errors");
            errors.EnumerateObject().Select(e => e.Name).Should().Equal(["url"], errors.ToString());
            errors.GetProperty("url")[0].GetString().Should().Contain("does not resolve");
        }
    }

    private static async Task<JsonNode> ShouldAnswerAsync(TestTenant tenant, HttpMethod method, string path, JsonNode example, HttpStatusCode expected)
    {
        var response = await Send(tenant, method, path, example);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, $"{method} {path} with its example answered {text}");
        return JsonNode.Parse(text)!;
    }

    private static Task<HttpResponseMessage> Send(TestTenant tenant, HttpMethod method, string path, JsonNode example) =>
        tenant.Http.SendAsync(new HttpRequestMessage(method, path)
        {
            Content = new StringContent(example.ToJsonString(), Encoding.UTF8, "application/json"),
        });

    private static string Describe(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(",", type.GenericTypeArguments.Select(Describe))}>" : type.Name;
}
