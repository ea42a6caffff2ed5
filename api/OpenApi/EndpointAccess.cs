using Microsoft.AspNetCore.Authorization;

namespace Notifly.Api.OpenApi;

/// <summary>What an endpoint's authorization metadata asks of a caller, as the document tells it.</summary>
internal static class EndpointAccess
{
    public static bool RequiresApiKey(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any() && !RequiresOperator(metadata);

    public static bool RequiresOperator(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Operator.OperatorAuthenticationHandler.Policy);
}
