using Npgsql;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;

namespace Notifly.Grains.Users;

/// <summary>
/// Admin users of a tenant (seed 000): invitations, roles, deactivation, and their sign-in
/// set-password links. Management runs in the caller's tenant scope (RLS) and
/// is audited there; sign-in, refresh and set-password run before any tenant is known, as the
/// owning role, and name the tenant explicitly.
/// </summary>
public sealed class UserStore(Database database, TimeProvider time)
{
    public static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public async Task<IReadOnlyList<AdminUser>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"SELECT {UserRows.Columns} FROM admin_users ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<AdminUser>();
        while (await reader.ReadAsync(cancellationToken))
        {
            users.Add(UserRows.Read(reader));
        }

        return users;
    }

    public async Task<AdminUser?> FindAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"SELECT {UserRows.Columns} FROM admin_users WHERE id = $1").With(id);
        return await UserRows.ReadOneAsync(command, cancellationToken);
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

        var (token, expires, slug) = await IssueInvitationAsync(scope, user.Id, now, cancellationToken);
        await AuditAsync(scope, actor, "user.invited", user.Id, new { email = user.Email, role }, cancellationToken);
        return new InvitedUser(user, token, expires, slug);
    }

    /// <summary>A new one-time set-password link for an existing user (a lost password, an expired invitation).</summary>
    public async Task<InvitedUser?> ReinviteAsync(TenantScope scope, Guid id, AuditActor actor, CancellationToken cancellationToken)
    {
        if (await FindAsync(scope, id, cancellationToken) is not { } user)
        {
            return null;
        }

        var (token, expires, slug) = await IssueInvitationAsync(scope, id, time.GetUtcNow(), cancellationToken);
        await AuditAsync(scope, actor, "user.reinvited", id, null, cancellationToken);
        return new InvitedUser(user, token, expires, slug);
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
        await using var select = scope.Command($"SELECT {UserRows.Columns} FROM admin_users WHERE id = $1 FOR UPDATE").With(id);
        if (await UserRows.ReadOneAsync(select, cancellationToken) is not { } before)
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
        await using var select = scope.Command($"SELECT {UserRows.Columns} FROM admin_users WHERE id = $1 FOR UPDATE").With(id);
        if (await UserRows.ReadOneAsync(select, cancellationToken) is not { } user)
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
            """, connection, transaction).With(UserRows.Digest(token)).With(time.GetUtcNow()))
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

        await UserRows.AuditAsync(connection, transaction, tenantId, actor, "user.password_set", userId, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<(string Token, DateTimeOffset Expires, string TenantSlug)> IssueInvitationAsync(
        TenantScope scope, Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = UserRows.NewToken();
        var expires = now + InvitationLifetime;
        await using (var spendOthers = scope.Command("UPDATE user_invitations SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
            .With(userId).With(now))
        {
            await spendOthers.ExecuteNonQueryAsync(cancellationToken); // only the newest link works
        }

        // the tenant's slug goes into the link, so that the sign-in page after it needs no typing
        await using var insert = scope.Command(
            """
            INSERT INTO user_invitations (token_hash, tenant_id, user_id, expires_at) VALUES ($1, $2, $3, $4)
            RETURNING (SELECT slug FROM tenants WHERE id = $2)
            """)
            .With(UserRows.Digest(token)).With(scope.TenantId).With(userId).With(expires);
        var slug = (string)(await insert.ExecuteScalarAsync(cancellationToken))!;
        return (token, expires, slug);
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
        UserRows.AuditAsync(scope.Connection, scope.Transaction, scope.TenantId, actor, action, userId, changes, cancellationToken);

}

/// <summary>The tenant has a user with this email.</summary>
public sealed class DuplicateUserException() : Exception("a user with this email exists");

/// <summary>The change would leave the tenant with no active ADMIN user.</summary>
public sealed class LastAdminException() : Exception("the tenant's last active ADMIN user");
