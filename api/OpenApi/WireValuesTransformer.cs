using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.GrainInterfaces.Tenants;
using Notifly.Grains.Storage;

namespace Notifly.Api.OpenApi;

/// <summary>
/// Lists the values of members that are plain strings in C# but take a fixed set on the wire:
/// status-webhook event names and the channels of the tenant settings. Without it a client
/// learns them only from a 400.
/// </summary>
internal sealed class WireValuesTransformer : IOpenApiSchemaTransformer
{
    private static readonly string[] Channels = [.. Enum.GetValues<Channel>().Select(c => c.Name())];

    private static readonly string[] Events = [.. StatusWebhookEvents.Subscribable.Order(StringComparer.Ordinal)];

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not { } property)
        {
            return Task.CompletedTask;
        }

        var member = (property.DeclaringType, property.Name);
        if (member == (typeof(WebhookEndpointRequest), "events") || member == (typeof(WebhookEndpointView), "events"))
        {
            schema.Items = OneOf(Events);
        }
        else if (member == (typeof(TenantSettings), "disabledChannels"))
        {
            schema.Items = OneOf(Channels);
        }
        else if (member == (typeof(TenantSettings), "channelFallback"))
        {
            schema.AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = OneOf(Channels) };
        }

        return Task.CompletedTask;
    }

    private static OpenApiSchema OneOf(string[] values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))] };
}
