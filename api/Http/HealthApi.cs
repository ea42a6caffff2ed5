using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Api.Http;

/// <summary>Kubernetes probes: live = the process answers; ready = it can reach PostgreSQL.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" })).ExcludeFromDescription();
        app.MapGet("/health/ready", Ready).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<object>, ProblemHttpResult>> Ready(Database database, HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return TypedResults.Ok<object>(new { status = "ready" });
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            context.Response.Headers.RetryAfter = "5";
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, "The database is unreachable.");
        }
    }
}
