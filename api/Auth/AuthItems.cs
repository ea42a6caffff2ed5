using Microsoft.AspNetCore.Http;

namespace Notifly.Api.Auth;

/// <summary>What authentication leaves for its challenge: the caller's credentials were right, but its tenant is suspended.</summary>
internal static class AuthItems
{
    private const string SuspendedKey = "notifly.tenant-suspended";

    public static void MarkSuspended(HttpContext context) => context.Items[SuspendedKey] = true;

    public static bool IsSuspended(HttpContext context) => context.Items.ContainsKey(SuspendedKey);
}
