using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Npgsql;
using Notifly.Grains.Notifications;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels.Sms;

/// <summary>
/// Applies a verified Twilio status callback (docs/0014): finds the notification whose SMS
/// attempt Twilio accepted as the message SID, then runs a <see cref="NotificationCommand.Receipt"/>
/// turn in that tenant's scope. The lookup runs as the system role: Twilio names no tenant.
/// </summary>
public sealed partial class TwilioReceipts(Database database, NotificationStore store, ILogger<TwilioReceipts> logger)
{
    /// <returns>Whether the receipt changed the notification; false for unknown, duplicate or late ones.</returns>
    public async Task<bool> ApplyAsync(string messageSid, ReceiptStatus status, string? errorCode, CancellationToken cancellationToken)
    {
        Guid tenantId, notificationId;
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var command = new NpgsqlCommand(
            """
            SELECT tenant_id, notification_id FROM notification_logs
             WHERE provider_message_id = $1 AND channel = $2
             LIMIT 1
            """, connection).With(messageSid).With(Channel.Sms.Name()))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                LogUnknownSid(messageSid);
                return false;
            }

            tenantId = reader.GetGuid(0);
            notificationId = reader.GetGuid(1);
        }

        await using var scope = await database.BeginTenantScopeAsync(tenantId, apiKeyId: null, cancellationToken);
        var turn = await store.ExecuteAsync(scope, notificationId, new NotificationCommand.Receipt(Channel.Sms, messageSid, status, errorCode), cancellationToken);
        if (turn is null || turn.Rejection is not null)
        {
            LogIgnored(messageSid, notificationId, turn?.Rejection ?? "NOT_FOUND");
            return false;
        }

        await scope.CommitAsync(cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio status callback for unknown message {MessageSid}: ignored")]
    private partial void LogUnknownSid(string messageSid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Twilio receipt for {MessageSid} (notification {NotificationId}) changed nothing: {Reason}")]
    private partial void LogIgnored(string messageSid, Guid notificationId, string reason);
}
