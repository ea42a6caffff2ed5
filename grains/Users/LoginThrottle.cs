using Npgsql;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Users;

/// <summary>
/// Failed sign-ins counted per account (tenant and email) and per client address in PostgreSQL,
/// so every node counts the same. Past <see cref="LoginThrottleOptions.MaxFailures"/> failures
/// within a window the key is locked for the lockout time; a success clears the account's count
/// (not the address's, so an attacker cannot clear it with an account of their own).
/// </summary>
public sealed class LoginThrottle(Database database, LoginThrottleOptions options, TimeProvider time)
{
    public static string AccountKey(string tenantSlug, string email) => $"account:{tenantSlug}:{email.ToLowerInvariant()}";

    public static string AddressKey(string? address) => $"address:{address ?? "unknown"}";

    /// <returns>How long until one of the keys unlocks, or null when none is locked.</returns>
    public async Task<TimeSpan?> LockedForAsync(string accountKey, string addressKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT max(locked_until) FROM login_throttle WHERE key IN ($1, $2) AND locked_until > $3", connection)
            .With(accountKey).With(addressKey).With(now);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime until
            ? new DateTimeOffset(DateTime.SpecifyKind(until, DateTimeKind.Utc)) - now
            : null;
    }

    public async Task FailedAsync(string accountKey, string addressKey, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Count(accountKey, options.MaxFailures, now),
                Count(addressKey, options.MaxFailuresPerAddress, now),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SucceededAsync(string accountKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM login_throttle WHERE key = $1", connection).With(accountKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlBatchCommand Count(string key, int max, DateTimeOffset now) =>
        new NpgsqlBatchCommand(
            """
            INSERT INTO login_throttle AS t (key, failures, window_start) VALUES ($1, 1, $2)
            ON CONFLICT (key) DO UPDATE SET
                failures = CASE WHEN t.window_start > $2 - $3 THEN t.failures + 1 ELSE 1 END,
                window_start = CASE WHEN t.window_start > $2 - $3 THEN t.window_start ELSE $2 END,
                locked_until = CASE WHEN t.window_start > $2 - $3 AND t.failures + 1 >= $4 THEN $2 + $5 ELSE t.locked_until END
            """).With(key).With(now).With(options.Window).With(max).With(options.Lockout);
}

/// <summary><c>Notifly:Auth:Throttle</c>.</summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Failures of one account within <see cref="Window"/> that lock it.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>Failures from one address (any accounts) within <see cref="Window"/> that lock it.</summary>
    public int MaxFailuresPerAddress { get; set; } = 20;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);
}
