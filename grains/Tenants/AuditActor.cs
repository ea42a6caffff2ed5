namespace Notifly.Grains.Tenants;

/// <summary>
/// Who made an administrative change, for <c>admin_audit_logs</c>: <see cref="Actor"/> names them
/// (<c>operator</c>, <c>api_key:{prefix}</c>, <c>user:{email}</c>), and the request they made it
/// with gives the address and user agent.
/// </summary>
public sealed record AuditActor(string Actor, string? IpAddress = null, string? UserAgent = null)
{
    public static AuditActor System { get; } = new("system");
}
