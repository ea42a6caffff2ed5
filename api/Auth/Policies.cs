using Notifly.Grains.Tenants;

namespace Notifly.Api.Auth;

/// <summary>
/// The one permission model for API keys (ADMIN, SERVICE) and admin users (ADMIN, EDITOR,
/// VIEWER): each endpoint names one of these policies, and README's "Who may call what" lists
/// them. A VIEWER reads; an EDITOR also sends, manages templates and recipients and works the
/// dead-letter queue; an ADMIN also manages keys, users, settings, providers and status
/// webhooks. A SERVICE key is a backend that sends: it reads and sends, and manages recipients.
/// </summary>
public static class Policies
{
    /// <summary>Notifications, recipients and templates, read: every caller of the tenant.</summary>
    public const string Read = "read";

    /// <summary>Send and cancel notifications, manage recipients.</summary>
    public const string Send = "send";

    /// <summary>Administrative reads that hold no secret: dead letters, settings.</summary>
    public const string Inspect = "inspect";

    /// <summary>Templates, and the dead-letter queue's retry and delete.</summary>
    public const string Edit = "edit";

    /// <summary>Keys, users, settings, providers, status webhooks, the signing secret.</summary>
    public const string Admin = "admin";

    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>
    {
        [Read] = [ApiPrincipal.AdminRole, ApiPrincipal.ServiceRole, ApiPrincipal.EditorRole, ApiPrincipal.ViewerRole],
        [Send] = [ApiPrincipal.AdminRole, ApiPrincipal.ServiceRole, ApiPrincipal.EditorRole],
        [Inspect] = [ApiPrincipal.AdminRole, ApiPrincipal.EditorRole, ApiPrincipal.ViewerRole],
        [Edit] = [ApiPrincipal.AdminRole, ApiPrincipal.EditorRole],
        [Admin] = [ApiPrincipal.AdminRole],
    };
}
