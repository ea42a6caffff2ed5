using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Tenants;
using Notifly.Grains.Security;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Providers;

/// <summary>
/// A tenant's providers in its own scope (RLS): reads never return credentials, only the names
/// of the sealed fields; every change is audited (without the secrets), and its commit announces
/// it through the tenant's grain so each node reloads that tenant's providers. The caller commits.
/// </summary>
public sealed class ProviderStore(SecretBox box, TenantWatch watch)
{
    /// <summary>Binds sealed credentials to their row: copied to another provider, they do not open.</summary>
    public static string AssociatedData(Guid providerId) => $"provider:{providerId:D}";

    public static readonly SealedSecretColumn CredentialsColumn = new("providers", "credentials", "provider");

    /// <summary>A provider's sealed credentials in the clear.</summary>
    public JsonObject OpenCredentials(Guid id, byte[] sealedValue) => JsonNode.Parse(box.Open(sealedValue, AssociatedData(id)))!.AsObject();

    /// <summary>What a kind binds: the settings with the credentials' fields laid over them (copies; the inputs stay as they are).</summary>
    public static JsonObject Merge(JsonObject settings, JsonObject? credentials)
    {
        var config = settings.DeepClone().AsObject();
        foreach (var (field, value) in credentials ?? [])
        {
            config[field] = value?.DeepClone();
        }

        return config;
    }

    private const string Select =
        """
        SELECT id, name, kind, channel, priority, is_active, settings::text, credential_fields, max_concurrency, created_at, updated_at
          FROM providers
        """;

    public static async Task<IReadOnlyList<ProviderView>> ListAsync(TenantScope scope, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"{Select} ORDER BY channel, priority, name");
        return await ReadAsync(command, cancellationToken);
    }

    public static async Task<ProviderView?> GetAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command($"{Select} WHERE id = $1").With(id);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The provider's credentials in the clear, to validate an update that keeps them.</summary>
    public async Task<JsonObject?> CredentialsAsync(TenantScope scope, Guid id, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("SELECT credentials FROM providers WHERE id = $1").With(id);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] sealedValue ? OpenCredentials(id, sealedValue) : null;
    }

    /// <summary>
    /// A provider's merged settings and credentials, as the system role: a provider's callback
    /// (a delivery receipt) names the provider, not a tenant, and must be checked with its keys.
    /// </summary>
    public async Task<(Guid TenantId, string Kind, JsonObject Config)?> LoadAsync(Database database, Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT tenant_id, kind, settings::text, credentials FROM providers WHERE id = $1 AND is_active", connection).With(id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var credentials = reader.IsDBNull(3) ? null : OpenCredentials(id, reader.GetFieldValue<byte[]>(3));
        return (reader.GetGuid(0), reader.GetString(1), Merge(JsonNode.Parse(reader.GetString(2))!.AsObject(), credentials));
    }

    /// <returns>False when the name is taken.</returns>
    public async Task<bool> CreateAsync(TenantScope scope, Guid id, ProviderDraft draft, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = scope.Command(
            """
            INSERT INTO providers (id, tenant_id, name, kind, channel, priority, is_active, settings, credentials, credential_fields,
                                   max_concurrency, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $12)
            ON CONFLICT (tenant_id, name) DO NOTHING
            """)
            .With(id).With(scope.TenantId).With(draft.Name).With(draft.Kind).With(draft.Channel.Name()).With(draft.Priority).With(draft.Active)
            .With(draft.Settings.ToJsonString()).With(Seal(id, draft.Credentials), NpgsqlTypes.NpgsqlDbType.Bytea)
            .With(FieldNames(draft.Credentials)).With(draft.MaxConcurrency, NpgsqlTypes.NpgsqlDbType.Integer).With(now);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await ChangedAsync(scope, actor, "provider.created", id, draft, cancellationToken);
        return true;
    }

    /// <summary>Replaces a provider; <see cref="ProviderDraft.Credentials"/> null keeps the sealed ones.</summary>
    /// <returns>Null when there is no such provider, false when the new name is taken.</returns>
    public async Task<bool?> UpdateAsync(TenantScope scope, Guid id, ProviderDraft draft, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keep = draft.Credentials is null;
        await using var command = scope.Command(
            $"""
            UPDATE providers
               SET name = $2, kind = $3, channel = $4, priority = $5, is_active = $6, settings = $7::jsonb,
                   {(keep ? "" : "credentials = $8, credential_fields = $9,")} max_concurrency = $10, updated_at = $11
             WHERE id = $1
            """)
            .With(id).With(draft.Name).With(draft.Kind).With(draft.Channel.Name()).With(draft.Priority).With(draft.Active)
            .With(draft.Settings.ToJsonString()).With(keep ? null : Seal(id, draft.Credentials), NpgsqlTypes.NpgsqlDbType.Bytea)
            .With(FieldNames(draft.Credentials)).With(draft.MaxConcurrency, NpgsqlTypes.NpgsqlDbType.Integer).With(now);
        try
        {
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return null;
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }

        await ChangedAsync(scope, actor, "provider.updated", id, draft, cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(TenantScope scope, Guid id, string actor, CancellationToken cancellationToken)
    {
        await using var command = scope.Command("DELETE FROM providers WHERE id = $1").With(id);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            return false;
        }

        await ChangedAsync(scope, actor, "provider.deleted", id, null, cancellationToken);
        return true;
    }

    private byte[]? Seal(Guid id, JsonObject? credentials) =>
        credentials is null || credentials.Count == 0 ? null : box.Seal(credentials.ToJsonString(), AssociatedData(id));

    private static string[] FieldNames(JsonObject? credentials) => credentials?.Select(c => c.Key).Order(StringComparer.Ordinal).ToArray() ?? [];

    private async Task ChangedAsync(TenantScope scope, string actor, string action, Guid id, ProviderDraft? draft, CancellationToken cancellationToken)
    {
        // What changed, minus the secrets: which credential fields were replaced, not their values.
        var changes = draft is null ? null : JsonSerializer.Serialize(new
        {
            draft.Name, draft.Kind, Channel = draft.Channel.Name(), draft.Priority, draft.Active, draft.Settings, draft.MaxConcurrency,
            CredentialsReplaced = draft.Credentials is null ? null : FieldNames(draft.Credentials),
        }, Json.Options);
        await using (var audit = scope.Command(
            """
            INSERT INTO admin_audit_logs (tenant_id, actor, action, resource_type, resource_id, changes)
            VALUES ($1, $2, $3, 'provider', $4, $5::jsonb)
            """).With(scope.TenantId).With(actor).With(action).With(id.ToString()).With(changes, NpgsqlTypes.NpgsqlDbType.Text))
        {
            await audit.ExecuteNonQueryAsync(cancellationToken);
        }

        // Each node reloads the tenant's providers (docs/0021).
        scope.AfterCommit(() => watch.AnnounceAsync(scope.TenantId));
    }

    private static async Task<IReadOnlyList<ProviderView>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var views = new List<ProviderView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new ProviderView(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), Wire.ParseChannel(reader.GetString(3)), reader.GetInt32(4),
                reader.GetBoolean(5), JsonNode.Parse(reader.GetString(6))!.AsObject(), reader.GetFieldValue<string[]>(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10)));
        }

        return views;
    }
}

/// <summary>A provider as written: the credentials in the clear until <see cref="ProviderStore"/> seals them.</summary>
public sealed record ProviderDraft(
    string Name, string Kind, Channel Channel, int Priority, bool Active, JsonObject Settings, JsonObject? Credentials, int? MaxConcurrency);

/// <summary>A provider as shown: <see cref="Credentials"/> lists the names of the sealed fields, never their values.</summary>
public sealed record ProviderView(
    Guid Id, string Name, string Kind, Channel Channel, int Priority, bool Active, JsonObject Settings, string[] Credentials,
    int? MaxConcurrency, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
