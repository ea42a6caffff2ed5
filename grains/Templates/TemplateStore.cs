using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Templates;
using Notifly.Grains.Storage;
using Npgsql;

namespace Notifly.Grains.Templates;

/// <summary>
/// <c>notification_templates</c>. Writes run in the caller's tenant scope and are audited in
/// <c>admin_audit_logs</c>; intake's lookup runs as the system role with the tenant named
/// explicitly, so a send with a template costs one round trip, not a scope plus a query.
/// </summary>
public static class TemplateStore
{
    private const string Columns =
        "id, name, channel, locale, version, subject, content, variables::text, html, is_active, created_by, created_at";

    /// <summary>
    /// Writes the next version of the variant. It becomes the active one when asked to, or by
    /// default when it is the first: a fresh template is usable at once, while a new version of a
    /// template in use waits for an explicit activation.
    /// </summary>
    public static async Task<TemplateVersion> CreateAsync(
        TenantScope scope, TemplateVersion draft, bool? activateRequested, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await LockVariantAsync(scope, draft.Name, draft.Channel, draft.Locale, cancellationToken);
        int version;
        await using (var next = scope.Command(
            "SELECT coalesce(max(version), 0) + 1 FROM notification_templates WHERE name = $1 AND channel = $2 AND locale = $3")
            .With(draft.Name).With(draft.Channel.Name()).With(draft.Locale))
        {
            version = (int)(await next.ExecuteScalarAsync(cancellationToken))!;
        }

        var activate = activateRequested ?? version == 1;
        if (activate)
        {
            await DeactivateAsync(scope, draft.Name, draft.Channel, draft.Locale, now, cancellationToken);
        }

        var created = draft with { Id = Guid.CreateVersion7(now), Version = version, IsActive = activate, CreatedAt = now };
        await using (var insert = scope.Command(
            """
            INSERT INTO notification_templates (id, tenant_id, name, channel, locale, version, subject, content, variables,
                                                html, is_active, created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $13)
            """)
            .With(created.Id).With(scope.TenantId).With(created.Name).With(created.Channel.Name()).With(created.Locale)
            .With(created.Version).With(created.Subject, NpgsqlTypes.NpgsqlDbType.Text).With(created.Body)
            .With(JsonSerializer.Serialize(created.Variables, Json.Options)).With(created.Html).With(created.IsActive)
            .With(created.CreatedBy).With(now))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(scope, created.CreatedBy, "template.created", created,
            new { created.Channel, locale = created.ToView().Locale, created.Version, active = activate }, cancellationToken);
        return created;
    }

    /// <summary>Makes <paramref name="version"/> the variant's only active version; null when there is no such version.</summary>
    public static async Task<TemplateVersion?> ActivateAsync(
        TenantScope scope, string name, Channel channel, string locale, int version, string actor, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await LockVariantAsync(scope, name, channel, locale, cancellationToken);
        if (await FindAsync(scope.Connection, scope.Transaction, scope.TenantId, name, channel, [locale], version, cancellationToken) is not { } target)
        {
            return null;
        }

        // Two statements, not one UPDATE flipping both rows: the partial unique index is checked
        // row by row and would see two active versions halfway through.
        await DeactivateAsync(scope, name, channel, locale, now, cancellationToken);
        await using (var activate = scope.Command(
            "UPDATE notification_templates SET is_active = true, updated_at = $2 WHERE id = $1").With(target.Id).With(now))
        {
            await activate.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(scope, actor, "template.activated", target, new { channel, locale = target.ToView().Locale, version }, cancellationToken);
        return target with { IsActive = true };
    }

    public static async Task<IReadOnlyList<TemplateSummary>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            SELECT name, channel, locale, max(version), max(version) FILTER (WHERE is_active), max(updated_at)
              FROM notification_templates
             GROUP BY name, channel, locale
             ORDER BY name, channel, locale
            """);
        var list = new List<TemplateSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var locale = reader.GetString(2);
            list.Add(new TemplateSummary(reader.GetString(0), Wire.ParseChannel(reader.GetString(1)), locale.Length == 0 ? null : locale,
                reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }

        return list;
    }

    /// <summary>Every version of every variant of <paramref name="name"/>, newest first within a variant.</summary>
    public static async Task<IReadOnlyList<TemplateVersion>> VersionsAsync(TenantScope scope, string name, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            $"SELECT {Columns} FROM notification_templates WHERE name = $1 ORDER BY channel, locale, version DESC").With(name);
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary>
    /// The version a send or preview uses: <paramref name="version"/> if given, else the active one,
    /// in the first of <paramref name="locales"/> (best first) that has one. Tenant named explicitly
    /// so it also serves intake, which runs outside a tenant scope.
    /// </summary>
    public static async Task<TemplateVersion?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid tenantId, string name, Channel channel,
        string[] locales, int? version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns}
              FROM notification_templates
             WHERE tenant_id = $1 AND name = $2 AND channel = $3 AND locale = ANY($4)
               AND CASE WHEN $5::integer IS NULL THEN is_active ELSE version = $5 END
             ORDER BY array_position($4, locale)
             LIMIT 1
            """, connection, transaction)
            .With(tenantId).With(name).With(channel.Name()).With(locales).With(version, NpgsqlTypes.NpgsqlDbType.Integer);
        return (await ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <summary>
    /// Every version an intake batch of one tenant may render with, in one round trip: the active
    /// ones of the named templates and the pinned versions asked for. <see cref="Pick"/> then
    /// resolves each request in memory as <see cref="FindAsync"/> would.
    /// </summary>
    public static async Task<IReadOnlyList<TemplateVersion>> FindCandidatesAsync(
        NpgsqlConnection connection, Guid tenantId, string[] names, int[] versions, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns}
              FROM notification_templates
             WHERE tenant_id = $1 AND name = ANY($2) AND (is_active OR version = ANY($3))
            """, connection)
            .With(tenantId).With(names).With(versions);
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <summary><see cref="FindAsync"/>'s choice among candidates already loaded: the first locale that has a match.</summary>
    public static TemplateVersion? Pick(
        IReadOnlyList<TemplateVersion> candidates, string name, Channel channel, string[] locales, int? version)
    {
        foreach (var locale in locales)
        {
            foreach (var t in candidates)
            {
                if (t.Name == name && t.Channel == channel && t.Locale == locale && (version is { } v ? t.Version == v : t.IsActive))
                {
                    return t;
                }
            }
        }

        return null;
    }

    private static async Task<IReadOnlyList<TemplateVersion>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<TemplateVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TemplateVersion(
                reader.GetGuid(0), reader.GetString(1), Wire.ParseChannel(reader.GetString(2)), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6),
                JsonSerializer.Deserialize<List<TemplateVariable>>(reader.GetString(7), Json.Options) ?? [],
                reader.GetBoolean(8), reader.GetBoolean(9), reader.GetString(10), reader.GetFieldValue<DateTimeOffset>(11)));
        }

        return list;
    }

    /// <summary>
    /// Serialises writers of one variant: without it two concurrent creates would both read the
    /// same max(version) and one would fail on the unique key, and two activations could leave
    /// two rows active for the partial index to reject.
    /// </summary>
    private static async Task LockVariantAsync(TenantScope scope, string name, Channel channel, string locale, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .With($"notification_templates:{scope.TenantId}:{name}:{channel.Name()}:{locale}");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task DeactivateAsync(TenantScope scope, string name, Channel channel, string locale, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            "UPDATE notification_templates SET is_active = false, updated_at = $4 WHERE name = $1 AND channel = $2 AND locale = $3 AND is_active")
            .With(name).With(channel.Name()).With(locale).With(now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task AuditAsync(TenantScope scope, string actor, string action, TemplateVersion template, object changes, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, $3, 'template', $4, $5::jsonb)
            """).With(scope.TenantId).With(actor).With(action).With(template.Name).With(JsonSerializer.Serialize(changes, Json.Options));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
