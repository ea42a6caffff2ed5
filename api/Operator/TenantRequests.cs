namespace Notifly.Api.Operator;

/// <summary>A new tenant: its display name (unique) and its slug (unique, lowercase, for URLs and commands).</summary>
public sealed record CreateTenantRequest(string? Name, string? Slug);

/// <summary>A change to a tenant; fields left out stay as they are. <c>status</c>: <c>ACTIVE</c> (resume) or <c>SUSPENDED</c>.</summary>
public sealed record UpdateTenantRequest(string? Name, string? Status);

/// <summary>The answer to creating a tenant: the tenant, and its first ADMIN API key, shown this once.</summary>
public sealed record CreatedTenant(Grains.Tenants.Tenant Tenant, Grains.Tenants.CreatedApiKey AdminKey);
