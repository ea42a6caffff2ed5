namespace Notifly.Grains.Tenants;

/// <summary>
/// Who is calling: the tenant, and either the API key (<see cref="KeyId"/>, named by its prefix)
/// or the signed-in admin user (<see cref="UserId"/>, named by email) behind the request.
/// <see cref="Role"/> is the key's (ADMIN, SERVICE) or the user's (ADMIN, EDITOR, VIEWER), as
/// it is now: a user's role is read again on every request.
/// </summary>
public sealed record ApiPrincipal(Guid TenantId, Guid? KeyId, string Name, string Role, Guid? UserId = null)
{
    public const string AdminRole = "ADMIN";
    public const string ServiceRole = "SERVICE";
    public const string EditorRole = "EDITOR";
    public const string ViewerRole = "VIEWER";

    /// <summary>How audit rows name the caller: <c>api_key:{prefix}</c> or <c>user:{email}</c>.</summary>
    public string Actor => UserId is null ? $"api_key:{Name}" : $"user:{Name}";
}
