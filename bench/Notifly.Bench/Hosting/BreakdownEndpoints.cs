using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Notifly.Api.Notifications;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Bench.Hosting;

/// <summary>
/// Endpoints that stop the intake path part-way, mapped only in the benchmark, so that the CPU
/// per request of each stretch (Kestrel, authentication and body, JSON and validation, the
/// group commit) is measured under the same load as the real endpoint instead of guessed.
/// </summary>
public static class BreakdownEndpoints
{
    public const string Noop = "/bench/noop";
    public const string Authenticated = "/bench/authenticated";
    public const string Validated = "/bench/validated";

    public static void MapBreakdownEndpoints(this IEndpointRouteBuilder app)
    {
        // Kestrel and Notifly's middleware, nothing else.
        app.MapGet(Noop, () => Results.NoContent()).ExcludeFromDescription();

        // + API key authentication and reading the body (discarded).
        app.MapPost(Authenticated, async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            await request.Body.CopyToAsync(Stream.Null, cancellationToken);
            return Results.NoContent();
        }).RequireAuthorization().ExcludeFromDescription();

        app.MapPost(Validated, ValidatedAsync).RequireAuthorization().ExcludeFromDescription();
    }

    /// <summary>
    /// NotificationsApi.Send up to the group commit (the very same code), then a 202 body without
    /// IntakeWriter, so that the difference to intake-max is the commit alone.
    /// </summary>
    private static async Task<Results<Accepted<NotificationAccepted>, ProblemHttpResult>> ValidatedAsync(
        HttpContext context, IOptions<ChannelsOptions> channels, TimeProvider time, CancellationToken cancellationToken)
    {
        var (_, problem) = await NotificationsApi.ReadRequestAsync(context, channels.Value, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var accepted = new NotificationAccepted(Guid.CreateVersion7(), NotificationStatus.Accepted, Guid.NewGuid());
        return TypedResults.Accepted($"/api/notifications/{accepted.RequestId}", accepted);
    }
}
