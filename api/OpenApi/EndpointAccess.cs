using Microsoft.AspNetCore.Authorization;
using Notifly.Api.Auth;

namespace Notifly.Api.OpenApi;

/// <summary>What an endpoint's authorization metadata asks of a caller, as the document tells it.</summary>
internal static class EndpointAccess
{
    public static bool RequiresApiKey(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();

    public static bool RequiresAdmin(IList<object> metadata) =>
        RequiresApiKey(metadata) && metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Policies.Admin);
}
