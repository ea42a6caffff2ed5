namespace Notifly.Grains.Tenants;

public sealed record Tenant(Guid Id, string Name, string Slug, string Status, DateTimeOffset CreatedAt);
