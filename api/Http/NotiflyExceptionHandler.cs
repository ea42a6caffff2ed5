using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using Notifly.Grains.Observability;
using Notifly.Grains.Storage;
using Orleans.Runtime;

namespace Notifly.Api.Http;

/// <summary>
/// Turns what escapes an endpoint into a problem detail: a key revoked mid-flight is a 401, a
/// request Kestrel or parameter binding could not read a 4xx naming what was wrong, a database
/// that cannot be reached (or is out of disk space) is a 503 the client may retry, anything else a 500.
/// </summary>
public sealed partial class NotiflyExceptionHandler(Database database, ILogger<NotiflyExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is PostgresException { SqlState: ['2', '2', ..] })
        {
            // A value the edge should have refused reached a statement. Refused at Bind, it can
            // leave a half-prepared statement on its connection, already back in the pool: drop
            // them all rather than fail the next caller (docs/0018).
            database.Discard();
        }

        NotiflyMetrics.CountDatabaseError(exception);
        var result = exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.DiskFull } or DatabaseUnavailableException { SqlState: PostgresErrorCodes.DiskFull }
                => OutOfSpace(context),
            DatabaseUnavailableException => Unavailable(context),
            // A grain's silo died and the membership has not said so yet: Orleans places the grain
            // elsewhere once it has, within seconds.
            OrleansMessageRejectionException or SiloUnavailableException or Orleans.Runtime.Messaging.ConnectionFailedException
                => ClusterUnavailable(context),
            ApiKeyRevokedException => Problems.InvalidApiKey(),
            TenantSuspendedException => Problems.TenantSuspended(),
            UserDeactivatedException => Problems.InvalidToken(),
            BadHttpRequestException bad => BadRequests.ToProblem(context, bad),
            NpgsqlException or TimeoutException when IsUnavailable(exception) => Unavailable(context),
            _ => null,
        };

        if (result is null)
        {
            LogUnhandled(exception, context.Request.Method, context.Request.Path);
            result = Problems.Create(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                "Something went wrong on our side.", $"Quote trace id {context.TraceIdentifier} when reporting this.");
        }

        await result.ExecuteAsync(context);
        return true;
    }

    private static bool IsUnavailable(Exception exception) =>
        exception is TimeoutException || exception is NpgsqlException { IsTransient: true } || exception.InnerException is System.Net.Sockets.SocketException;

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            "The database is unreachable.", "Nothing was stored. Retry after the delay in Retry-After.");
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult ClusterUnavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "2";
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            "A node of the cluster is being replaced.",
            "The request may not have been carried out. Retry after the delay in Retry-After; an idempotency key makes the retry safe.");
    }

    /// <summary>
    /// PostgreSQL answers but cannot write: "unreachable" would send the operator to the network.
    /// Logged at Error on every request, as it is the operator's to fix; the client may retry.
    /// </summary>
    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult OutOfSpace(HttpContext context)
    {
        LogOutOfSpace(context.Request.Method, context.Request.Path);
        context.Response.Headers.RetryAfter = "30";
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            "The database is out of disk space.", "Nothing was stored. Retry after the delay in Retry-After.");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL is out of disk space (SQLSTATE 53100): {Method} {Path} refused with 503")]
    private partial void LogOutOfSpace(string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private partial void LogUnhandled(Exception ex, string method, string path);
}
