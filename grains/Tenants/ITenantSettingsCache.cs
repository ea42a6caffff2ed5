namespace Notifly.Grains.Tenants;

/// <summary>Something a node keeps per tenant that a settings change makes stale (docs/0021).</summary>
public interface ITenantSettingsCache
{
    /// <summary>Forgets what this node holds for the tenant; the next use reloads it.</summary>
    void Evict(Guid tenantId);
}
