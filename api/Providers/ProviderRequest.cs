using System.Text.Json.Nodes;

namespace Notifly.Api.Providers;

/// <summary>
/// A provider to create or replace. <see cref="Credentials"/> holds the secret fields only and is
/// sealed at rest; on replace, leaving it out keeps the stored credentials.
/// </summary>
public sealed record ProviderRequest(
    string? Name, string? Kind, int? Priority, bool? Active, JsonObject? Settings, JsonObject? Credentials, int? MaxConcurrency);

/// <summary>A provider as the API shows it: credentials by field name only, and this node's circuit state.</summary>
public sealed record ProviderResponse(
    Guid Id, string Name, string Kind, string Channel, int Priority, bool Active, JsonObject Settings, string[] Credentials,
    int? MaxConcurrency, string Circuit, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
