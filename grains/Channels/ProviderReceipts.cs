using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Npgsql;
using NpgsqlTypes;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels;

/// <summary>
/// Applies a verified provider receipt (docs/0014, docs/0016): finds the notification whose
/// <paramref name="channel"/> attempt the provider accepted under its message id, then runs a
/// receipt turn on its grain, in that tenant's scope. The lookup runs as the
/// system role, since a provider names no tenant we could trust to scope it.
/// </summary>
public sealed partial class ProviderReceipts(Database database, IGrainFactory grains, ILogger<ProviderReceipts> logger)
{
    /// <param name="onlyTenantId">
    /// When the receipt came through one tenant's own provider account, only that tenant's
    /// messages may match: another tenant's account must not move our notifications.
    /// </param>
    /// <returns>Whether the receipt changed the notification; false for unknown, duplicate or late ones.</returns>
    public async Task<bool> ApplyAsync(
        Channel channel, string providerMessageId, ReceiptStatus status, string? errorCode, Guid? onlyTenantId,
        CancellationToken cancellationToken)
    {
        Guid tenantId, notificationId;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new NpgsqlCommand(
            """
            SELECT tenant_id, notification_id FROM notification_logs
             WHERE provider_message_id = $1 AND channel = $2 AND ($3::uuid IS NULL OR tenant_id = $3)
             LIMIT 1
            """, connection).With(providerMessageId).With(channel.Name()).With(onlyTenantId, NpgsqlDbType.Uuid))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                LogUnknown(channel.Name(), providerMessageId);
                return false;
            }

            tenantId = reader.GetGuid(0);
            notificationId = reader.GetGuid(1);
        }

        var outcome = await grains.GetGrain<INotificationGrain>(notificationId)
            .Receipt(tenantId, channel, providerMessageId, status, errorCode, cancellationToken);
        if (!outcome.Applied)
        {
            LogIgnored(channel.Name(), providerMessageId, notificationId, outcome.Rejection ?? "NOT_FOUND");
            return false;
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} receipt for unknown provider message {ProviderMessageId}: ignored")]
    private partial void LogUnknown(string channel, string providerMessageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} receipt for {ProviderMessageId} (notification {NotificationId}) changed nothing: {Reason}")]
    private partial void LogIgnored(string channel, string providerMessageId, Guid notificationId, string reason);
}
