using System.Text.Json;
using Npgsql;

namespace Notifly.Grains.Intake;

/// <summary>Which intake failures may be one request's doing, and how to tell its sender.</summary>
internal static class IntakeFailures
{
    /// <summary>
    /// True unless the failure plainly belongs to no request: the database unreachable or
    /// shutting down, a deadlock or serialisation failure, a timeout, cancellation. Those fail the
    /// whole batch for the caller to retry; splitting it would only multiply the attempts.
    /// </summary>
    public static bool MayBelongToAnItem(Exception exception) => exception switch
    {
        OperationCanceledException or TimeoutException => false,
        PostgresException pg => !IsSystemic(pg.SqlState),
        NpgsqlException => false, // I/O, a broken connection: no server verdict on any row
        _ => true,
    };

    /// <summary>PostgreSQL judged a value: data exceptions (class 22) and program limits (54), such as text it cannot store.</summary>
    public static bool IsRefusal(Exception exception) =>
        exception is PostgresException pg && (pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal))
        || exception is JsonException or ArgumentException or FormatException or OverflowException;

    /// <summary>What the request's sender is told: the server's verdict without its internals (no statement, no parameter numbers).</summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException pg => $"a value of this request cannot be stored: {pg.MessageText}.",
        _ => $"a value of this request cannot be stored ({exception.GetType().Name}).",
    };

    // 08 connection, 40 transaction rollback (deadlock, serialisation), 53 resources, 55 object
    // state (lock not available), 57 operator intervention (shutdown, cancel), 58 system error.
    private static bool IsSystemic(string sqlState) =>
        sqlState.Length >= 2 && sqlState[..2] is "08" or "40" or "53" or "55" or "57" or "58";
}
