using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Grains.Users;

/// <summary>
/// Admin users of a tenant (seed 000): invitations, roles, deactivation, and their sign-in
/// sessions with rotating refresh tokens. Management runs in the caller's tenant scope (RLS) and
/// is audited there; sign-in, refresh and set-password run before any tenant is known, as the
/// owning role, and name the tenant explicitly.
/// </summary>
public sealed class UserStore(Database database, TimeProvider time)
{
    private const string Columns =
        "id, tenant_id, email, role, is_active, password_hash IS NULL, created_at, updated_at, last_login_at";

    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public async Task<IReadOnlyList<AdminUser>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"SELECT {Columns} FROM admin_users ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<AdminUser>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(Read(reader));
        }

        return users;
    }

    public async Task<AdminUser?> FindAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"SELECT {Columns} FROM admin_users WHERE id = $1").With(id);
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary>Creates the user without a password, and the one-time link that lets them set one.</summary>
    /// <exception cref="DuplicateUserException">The tenant has a user with this email.</exception>
    public async Task<InvitedUser> InviteAsync(TenantScope scope, string email, string role, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var user = new AdminUser(Guid.CreateVersion7(), scope.TenantId, email.ToLowerInvariant(), role, true, true, now, now, null);
        await using (var insert = scope.Command(
            """
            INSERT INTO admin_users (id, tenant_id, email, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
            ON CONFLICT (tenant_id, email) DO NOTHING
            """).With(user.Id).With(scope.TenantId).With(user.Email).With(role).With(now))
        {
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new DuplicateUserException();
            }
        }

        var (token, expires) = await IssueInvitationAsync(scope, user.Id, now, cancellationToken);
        await AuditAsync(scope, actor, "user.invited", user.Id, new { email = user.Email, role }, cancellationToken);
        return new InvitedUser(user, token, expires);
    }

    /// <summary>A new one-time set-password link for an existing user (a lost password, an expired invitation).</summary>
    public async Task<InvitedUser?> ReinviteAsync(TenantScope scope, Guid id, AuditActor actor, CancellationToken cancellationToken)
    {
        if (await FindAsync(scope, id, cancellationToken) is not { } user)
        {
            return null;
        }

        var (token, expires) = await IssueInvitationAsync(scope, id, time.GetUtcNow(), cancellationToken);
        await AuditAsync(scope, actor, "user.reinvited", id, null, cancellationToken);
        return new InvitedUser(user, token, expires);
    }

    /// <summary>
    /// Changes the user's role and/or active flag. Deactivating ends every session at once; a
    /// role change applies from the user's next request (the role is read on each). The tenant's
    /// last active ADMIN can be neither demoted nor deactivated.
    /// </summary>
    /// <returns>The user as now, or null when the tenant has no such user.</returns>
    /// <exception cref="LastAdminException">The change would leave the tenant without an active ADMIN.</exception>
    public async Task<AdminUser?> UpdateAsync(TenantScope scope, Guid id, string? role, bool? active, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var select = scope.Command($"SELECT {Columns} FROM admin_users WHERE id = $1 FOR UPDATE").With(id);
        if (await ReadOneAsync(select, cancellationToken) is not { } before)
        {
            return null;
        }

        var after = before with { Role = role ?? before.Role, Active = active ?? before.Active };
        if (after == before)
        {
            return before;
        }

        await EnsureAnotherAdminAsync(scope, before, after, cancellationToken);
        after = after with { UpdatedAt = time.GetUtcNow() };
        await using (var update = scope.Command("UPDATE admin_users SET role = $2, is_active = $3, updated_at = $4 WHERE id = $1")
            .With(id).With(after.Role).With(after.Active).With(after.UpdatedAt))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (!after.Active)
        {
            await RevokeSessionsAsync(scope, id, cancellationToken);
        }

        await AuditAsync(scope, actor, "user.updated", id, new
        {
            role = after.Role == before.Role ? null : new { from = before.Role, to = after.Role },
            active = after.Active == before.Active ? null : new { from = before.Active, to = after.Active },
        }, cancellationToken);
        return after;
    }

    /// <returns>false when the tenant has no such user.</returns>
    /// <exception cref="LastAdminException">The user is the tenant's last active ADMIN.</exception>
    public async Task<bool> DeleteAsync(TenantScope scope, Guid id, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var select = scope.Command($"SELECT {Columns} FROM admin_users WHERE id = $1 FOR UPDATE").With(id);
        if (await ReadOneAsync(select, cancellationToken) is not { } user)
        {
            return false;
        }

        await EnsureAnotherAdminAsync(scope, user, user with { Active = false }, cancellationToken);
        await using (var delete = scope.Command("DELETE FROM admin_users WHERE id = $1").With(id))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken); // its sessions, tokens and invitations go with it
        }

        await AuditAsync(scope, actor, "user.deleted", id, new { email = user.Email }, cancellationToken);
        return true;
    }

    /// <summary>Sets the password through a one-time link; the link is spent, and the user's other sessions end.</summary>
    /// <returns>false when the token is unknown, used or expired.</returns>
    public async Task<bool> SetPasswordAsync(string token, string password, AuditActor actor, CancellationToken cancellationToken)
    {
        var hash = Passwords.Hash(password); // before the transaction: bcrypt takes a quarter of a second
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Guid userId, tenantId;
        await using (var spend = new NpgsqlCommand(
            """
            UPDATE user_invitations SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            RETURNING user_id, tenant_id
            """, connection, transaction).With(Digest(token)).With(time.GetUtcNow()))
        await using (var reader = await spend.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }

            (userId, tenantId) = (reader.GetGuid(0), reader.GetGuid(1));
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE admin_users SET password_hash = $2, updated_at = $3 WHERE id = $1", connection, transaction)
            .With(userId).With(hash).With(time.GetUtcNow()))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var revoke = new NpgsqlCommand(
            "UPDATE user_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", connection, transaction)
            .With(userId).With(time.GetUtcNow()))
        {
            await revoke.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(connection, transaction, tenantId, actor, "user.password_set", userId, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

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
            SELECT {Prefixed("u")}, u.password_hash, t.status
              FROM tenants t JOIN admin_users u ON u.tenant_id = t.id
             WHERE t.slug = $1 AND u.email = $2
            """, connection).With(tenantSlug).With(email.ToLowerInvariant()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                found = (Read(reader), reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetString(10));
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
            SELECT r.session_id, r.used_at IS NOT NULL, s.revoked_at IS NULL AND s.expires_at > $2, s.expires_at, {Prefixed("u")}, t.status
              FROM refresh_tokens r
              JOIN user_sessions s ON s.id = r.session_id
              JOIN admin_users u ON u.id = s.user_id
              JOIN tenants t ON t.id = u.tenant_id
             WHERE r.token_hash = $1
               FOR UPDATE OF r, s
            """, connection, transaction).With(Digest(refreshToken)).With(now))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new SignIn.Refused();
            }

            (sessionId, used, sessionLive, expires) = (reader.GetGuid(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3));
            user = Read(reader, offset: 4);
            tenantStatus = reader.GetString(13);
        }

        if (used)
        {
            await using var revoke = new NpgsqlCommand("UPDATE user_sessions SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", connection, transaction)
                .With(sessionId).With(now);
            await revoke.ExecuteNonQueryAsync(cancellationToken);
            await AuditAsync(connection, transaction, user.TenantId, new AuditActor($"user:{user.Email}"), "session.refresh_reused", user.Id,
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
            .With(Digest(refreshToken)).With(now))
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
            """, connection).With(Digest(refreshToken)).With(time.GetUtcNow());
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
            SELECT {Prefixed("u")}, t.status
              FROM admin_users u
              JOIN user_sessions s ON s.user_id = u.id AND s.id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
              JOIN tenants t ON t.id = u.tenant_id
             WHERE u.id = $1 AND u.is_active
            """, connection).With(userId).With(sessionId).With(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (Read(reader), reader.GetString(9)) : null;
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
        var token = NewToken();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, issued_at) VALUES ($1, $2, $3, $4)", connection, transaction)
            .With(Digest(token)).With(sessionId).With(tenantId).With(now);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }

    private static async Task<(string Token, DateTimeOffset Expires)> IssueInvitationAsync(
        TenantScope scope, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = NewToken();
        var expires = now + InvitationLifetime;
        await using (var spendOthers = scope.Command("UPDATE user_invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .With(userId).With(now))
        {
            await spendOthers.ExecuteNonQueryAsync(cancellationToken); // only the newest link works
        }

        await using var insert = scope.Command(
            "INSERT INTO user_invitations (token_hash, tenant_id, user_id, expires_at) VALUES ($1, $2, $3, $4)")
            .With(Digest(token)).With(scope.TenantId).With(userId).With(expires);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return (token, expires);
    }

    private static async Task RevokeSessionsAsync(TenantScope scope, Guid userId, CancellationToken cancellationToken)
    {
        await using var revoke = scope.Command("UPDATE user_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL").With(userId);
        await revoke.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task EnsureAnotherAdminAsync(TenantScope scope, AdminUser before, AdminUser after, CancellationToken cancellationToken)
    {
        var stillAdmin = after.Active && after.Role == ApiPrincipal.AdminRole;
        if (!before.Active || before.Role != ApiPrincipal.AdminRole || stillAdmin)
        {
            return;
        }

        // Locks the other active admins, so two concurrent demotions cannot both pass.
        await using var others = scope.Command(
            "SELECT count(*) FROM (SELECT 1 FROM admin_users WHERE role = 'ADMIN' AND is_active AND id <> $1 FOR UPDATE) a").With(before.Id);
        if ((long)(await others.ExecuteScalarAsync(cancellationToken))! == 0)
        {
            throw new LastAdminException();
        }
    }

    private static Task AuditAsync(TenantScope scope, AuditActor actor, string action, Guid userId, object? changes, CancellationToken cancellationToken) =>
        AuditAsync(scope.Connection, scope.Transaction, scope.TenantId, actor, action, userId, changes, cancellationToken);

    private static async Task AuditAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenantId, AuditActor actor, string action, Guid userId, object? changes,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes, ip_address, user_agent)
            VALUES ($1, $2, $3, 'user', $4, $5::jsonb, $6, $7)
            """, connection, transaction)
            .With(tenantId).With(actor.Actor).With(action).With(userId.ToString())
            .With(changes is null ? null : JsonSerializer.Serialize(changes, Json.Options), NpgsqlDbType.Text)
            .With(actor.IpAddress, NpgsqlDbType.Text).With(actor.UserAgent, NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Digest(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Prefixed(string alias) => string.Join(", ", Columns.Split(", ").Select(c => $"{alias}.{c}"));

    private static async Task<AdminUser?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static AdminUser Read(NpgsqlDataReader reader, int offset = 0) =>
        new(reader.GetGuid(offset), reader.GetGuid(offset + 1), reader.GetString(offset + 2), reader.GetString(offset + 3),
            reader.GetBoolean(offset + 4), reader.GetBoolean(offset + 5),
            reader.GetFieldValue<DateTimeOffset>(offset + 6), reader.GetFieldValue<DateTimeOffset>(offset + 7),
            reader.IsDBNull(offset + 8) ? null : reader.GetFieldValue<DateTimeOffset>(offset + 8));
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

/// <summary>The tenant has a user with this email.</summary>
public sealed class DuplicateUserException() : Exception("a user with this email exists");

/// <summary>The change would leave the tenant with no active ADMIN user.</summary>
public sealed class LastAdminException() : Exception("the tenant's last active ADMIN user");
