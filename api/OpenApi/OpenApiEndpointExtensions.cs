using Microsoft.AspNetCore.Builder;

namespace Notifly.Api.OpenApi;

/// <summary>What a route tells the OpenAPI document that the framework cannot see in its handler.</summary>
public static class OpenApiEndpointExtensions
{
    /// <summary>
    /// Declares the JSON body the handler reads with <see cref="Http.JsonBody.ReadAsync{T}"/>.
    /// Not <c>.Accepts&lt;T&gt;()</c>: its metadata also drives routing's content-type matcher, which
    /// answers a non-JSON request with a bare 415 before authentication and before the handler's
    /// UNSUPPORTED_MEDIA_TYPE problem, so a request without a key would get 415 rather than 401.
    /// </summary>
    public static RouteHandlerBuilder ReadsJsonBody<T>(this RouteHandlerBuilder builder)
        where T : class =>
        builder.WithMetadata(new JsonRequestBodyMetadata(typeof(T)));

    /// <summary>Documents problem answers the route alone does not imply, e.g. <c>StatusCodes.Status409Conflict</c>.</summary>
    public static RouteHandlerBuilder MayAnswer(this RouteHandlerBuilder builder, params int[] statuses) =>
        builder.WithMetadata(new ProblemResponsesMetadata(statuses));
}
