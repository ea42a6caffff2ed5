using Npgsql;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Grains.Users;

/// <summary>
/// Admin users' sign-in sessions (docs/0026): checking a password, rotating refresh tokens (a
/// replayed one ends its session), signing out, and the per-request check of an access token's
/// user and session. Runs before any tenant is known, as the owning role, naming tenants explicitly.
/// </summary>
public sealed class SessionStore(Database database, TimeProvider time)
{
    /// <summary>
    /// Checks an email and password of the tenant with this slug. Every way of failing (no such
    /// tenant, user, or password; inactive; wrong password) gives the same answer and costs the
    /// same bcrypt check.
    /// </summary>
    public async Task<SignIn> SignInAsync(string tenantSlug, string email, string password, TimeSpan sessionLifetime, CancellationToken cancellationToken)
    {
        (AdminUser User, string? Hash, string TenantStatus)? found = null;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT {UserRows.Prefixed("u")}, u.password_hash, t.status
              FROM tenants t JOIN admin_users u ON u.tenant_id = t.id
             WHERE t.slug = $1 AND u.email = $2
            """, connection).With(tenantSlug).With(email.ToLowerInvariant()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                found = (UserRows.Read(reader), reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetString(10));
            }
        }

        if (!Passwords.Verify(password, found?.Hash) || found is not { User.Active: true } user)
        {
            return new SignIn.Refused();
        }

        if (user.TenantStatus == Tenant.Suspended)
        {
            return new SignIn.Suspended();
        }

        return new SignIn.Succeeded(await StartSessionAsync(user.User, sessionLifetime, cancellationToken));
    }

    /// <summary>
    /// Trades a refresh token for the next one of its session. A token already traded is a replay:
    /// someone holds a copy, so the whole session ends.
    /// </summary>
    public async Task<SignIn> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid sessionId;
        bool used, sessionLive;
        DateTimeOffset expires;
        AdminUser user;
        string tenantStatus;
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT r.session_id, r.used_at IS NOT NULL, s.revoked_at IS NULL AND s.expires_at > $2, s.expires_at, {UserRows.Prefixed("u")}, t.status
              FROM refresh_tokens r
              JOIN user_sessions s ON s.id = r.session_id
              JOIN admin_users u ON u.id = s.user_id
              JOIN tenants t ON t.id = u.tenant_id
             WHERE r.token_hash = $1
               FOR UPDATE OF r, s
            """, connection, transaction).With(UserRows.Digest(refreshToken)).With(now))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new SignIn.Refused();
            }

            (sessionId, used, sessionLive, expires) = (reader.GetGuid(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3));
            user = UserRows.Read(reader, offset: 4);
            tenantStatus = reader.GetString(13);
        }

        if (used)
        {
            await using var revoke = new NpgsqlCommand("UPDATE user_sessions SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", connection, transaction)
                .With(sessionId).With(now);
            await revoke.ExecuteNonQueryAsync(cancellationToken);
            await UserRows.AuditAsync(connection, transaction, user.TenantId, new AuditActor($"user:{user.Email}"), "session.refresh_reused", user.Id,
                new { session = sessionId }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new SignIn.Refused();
        }

        if (!sessionLive || !user.Active)
        {
            return new SignIn.Refused();
        }

        if (tenantStatus == Tenant.Suspended)
        {
            return new SignIn.Suspended();
        }

        await using (var spend = new NpgsqlCommand("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", connection, transaction)
            .With(UserRows.Digest(refreshToken)).With(now))
        {
            await spend.ExecuteNonQueryAsync(cancellationToken);
        }

        var next = await IssueRefreshTokenAsync(connection, transaction, sessionId, user.TenantId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SignIn.Succeeded(new UserSession(user, sessionId, next, expires));
    }

    /// <summary>Ends the session the refresh token belongs to (used or not). Unknown tokens change nothing.</summary>
    public async Task SignOutAsync(string refreshToken, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            UPDATE user_sessions SET revoked_at = coalesce(revoked_at, $2)
             WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
            """, connection).With(UserRows.Digest(refreshToken)).With(time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends a session by its id (an access token's <c>sid</c>).</summary>
    public async Task SignOutAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE user_sessions SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", connection)
            .With(sessionId).With(time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The user behind an access token, as of now: null when the user is gone or inactive, or the
    /// session ended (logout, replay, deactivation). Read on every request, so a change applies
    /// at once. <c>TenantStatus</c> tells a suspended tenant apart.
    /// </summary>
    public async Task<(AdminUser User, string TenantStatus)?> CurrentAsync(Guid userId, Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {UserRows.Prefixed("u")}, t.status
              FROM admin_users u
              JOIN user_sessions s ON s.user_id = u.id AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
              JOIN tenants t ON t.id = u.tenant_id
             WHERE u.id = $1 AND u.is_active
            """, connection).With(userId).With(sessionId).With(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (UserRows.Read(reader), reader.GetString(9)) : null;
    }

    private async Task<UserSession> StartSessionAsync(AdminUser user, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessionId = Guid.CreateVersion7();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO user_sessions (id, tenant_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", connection, transaction)
            .With(sessionId).With(user.TenantId).With(user.Id).With(now).With(now + lifetime))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var touch = new NpgsqlCommand("UPDATE admin_users SET last_login_at = $2 WHERE id = $1", connection, transaction)
            .With(user.Id).With(now))
        {
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }

        var token = await IssueRefreshTokenAsync(connection, transaction, sessionId, user.TenantId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new UserSession(user with { LastLoginAt = now }, sessionId, token, now + lifetime);
    }

    private static async Task<string> IssueRefreshTokenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid sessionId, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = UserRows.NewToken();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, issued_at) VALUES ($1, $2, $3, $4)", connection, transaction)
            .With(UserRows.Digest(token)).With(sessionId).With(tenantId).With(now);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }
}

/// <summary>What a sign-in or a refresh came to.</summary>
public abstract record SignIn
{
    private SignIn()
    {
    }

    public sealed record Succeeded(UserSession Session) : SignIn;

    /// <summary>Wrong, unknown, inactive, expired or replayed: one answer for all.</summary>
    public sealed record Refused : SignIn;

    /// <summary>Right credentials, but an operator suspended the tenant.</summary>
    public sealed record Suspended : SignIn;
}
