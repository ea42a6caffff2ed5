using System.Text.Json.Nodes;
using Notifly.Tests.Support;

namespace Notifly.Tests.OpenApi;

/// <summary>The OpenAPI document as a running node serves it, read as plain JSON with its local $refs followed.</summary>
public sealed class ServedDocument(string text)
{
    public string Text { get; } = text;

    public JsonObject Root { get; } = JsonNode.Parse(text)!.AsObject();

    public static async Task<ServedDocument> FetchAsync(NotiflyNode node)
    {
        using var http = node.Client();
        var response = await http.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        return new ServedDocument(await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every operation: path, lower-case method and the operation object.</summary>
    public IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        from path in Root["paths"]!.AsObject()
        from method in path.Value!.AsObject()
        where method.Key != "parameters"
        select (path.Key, method.Key, method.Value!.AsObject());

    public JsonObject Operation(string operationId) =>
        Operations().Single(o => (string?)o.Operation["operationId"] == operationId).Operation;

    /// <summary>The node itself, or what its <c>$ref</c> (to this document) points at.</summary>
    public JsonNode Resolve(JsonNode node)
    {
        while (node is JsonObject o && o["$ref"] is JsonValue reference)
        {
            var pointer = (string)reference!;
            pointer.Should().StartWith("#/", "references stay inside the document");
            node = pointer[2..].Split('/').Aggregate((JsonNode)Root, (current, part) => current[part.Replace("~1", "/").Replace("~0", "~")]
                ?? throw new InvalidOperationException($"unresolved reference {pointer}"));
        }

        return node;
    }
}
