namespace Notifly.Grains.StatusWebhooks;

public enum DestinationVerdict
{
    Allowed,

    /// <summary>The host does not resolve.</summary>
    Unresolvable,

    /// <summary>Every address the host resolves to is internal and not allowed (SSRF).</summary>
    NotAllowed,

    /// <summary>http:// to a host outside the operator's allowed networks.</summary>
    HttpsRequired,
}
