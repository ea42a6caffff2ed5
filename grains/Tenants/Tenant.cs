namespace Notifly.Grains.Tenants;

/// <summary>A tenant as operators see it. <see cref="Status"/> is <c>ACTIVE</c> or <c>SUSPENDED</c>.</summary>
public sealed record Tenant(Guid Id, string Name, string Slug, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string Active = "ACTIVE";
    public const string Suspended = "SUSPENDED";
}
