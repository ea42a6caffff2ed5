using Microsoft.AspNetCore.Http;
using Notifly.Grains.Tenants;

namespace Notifly.Api.Auth;

public static class HttpContextPrincipal
{
    /// <summary>The caller behind an endpoint that requires authorization.</summary>
    public static ApiPrincipal Caller(this HttpContext context) =>
        context.Features.Get<ApiPrincipal>() ?? throw new InvalidOperationException("endpoint is missing RequireAuthorization");
}
