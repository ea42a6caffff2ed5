using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;
using Notifly.Grains.Tenants;
using Orleans.Placement;

namespace Notifly.Grains.Notifications;

/// <summary>
/// A notification's grain (docs/0022). Each call is one turn of <see cref="NotificationMachine"/>
/// in the tenant's Row-Level-Security scope, committed before it answers. The state stays in its
/// PostgreSQL row, locked for the turn, because the dispatcher's turns still run on that row
/// (docs/0023): the activation keeps nothing between calls, so it deactivates after each one
/// rather than hold memory for the thousands of notifications that get one receipt each.
/// Placed on the caller's silo when the caller is one (a co-hosted api), saving a hop.
/// </summary>
[PreferLocalPlacement]
public sealed class NotificationGrain(Database database, NotificationStore store, TimeProvider time) : Grain, INotificationGrain
{
    public Task<NotificationTurnOutcome> Cancel(NotificationCaller caller, CancellationToken cancellationToken) =>
        RunAsync(caller, (scope, id) => store.ExecuteAsync(scope, id, new NotificationCommand.Cancel(), cancellationToken), cancellationToken);

    public Task<NotificationTurnOutcome> Receipt(
        Guid tenantId, Channel channel, string providerMessageId, ReceiptStatus status, string? errorCode,
        CancellationToken cancellationToken) =>
        RunAsync(new NotificationCaller(tenantId, ApiKeyId: null),
            (scope, id) => store.ExecuteAsync(scope, id, new NotificationCommand.Receipt(channel, providerMessageId, status, errorCode), cancellationToken),
            cancellationToken);

    public Task<NotificationTurnOutcome> RetryDeadLetter(NotificationCaller caller, Guid deadLetterId, CancellationToken cancellationToken) =>
        RunAsync(caller, async (scope, id) =>
        {
            if (await DeadLetterQueries.LockOpenAsync(scope, deadLetterId, cancellationToken) is not { } entry || entry.NotificationId != id)
            {
                return null;
            }

            var turn = await store.ExecuteAsync(scope, id, new NotificationCommand.RetryDeadLetter(entry.Channel), cancellationToken);
            if (turn is { Rejection: null })
            {
                await DeadLetterQueries.MarkRetriedAsync(scope, deadLetterId, time.GetUtcNow(), cancellationToken);
                await AuditLog.RecordAsync(scope, caller.Actor ?? "system", "dead_letter.retried", "dead_letter", deadLetterId.ToString(),
                    new { notificationId = id, channel = entry.Channel.Name() }, cancellationToken);
                await using var wake = scope.Command($"SELECT pg_notify('{PostgresChannels.Reminders}', '')");
                await wake.ExecuteNonQueryAsync(cancellationToken);
            }

            return turn;
        }, cancellationToken);

    private async Task<NotificationTurnOutcome> RunAsync(
        NotificationCaller caller, Func<TenantScope, Guid, Task<TurnResult?>> turn, CancellationToken cancellationToken)
    {
        DeactivateOnIdle();
        await using var scope = await database.BeginTenantScopeAsync(
            caller.TenantId, caller.ApiKeyId, caller.UserId, cancellationToken, new ClientInfo(caller.IpAddress, caller.UserAgent));
        if (await turn(scope, this.GetPrimaryKey()) is not { } result)
        {
            return NotificationTurnOutcome.NotFound;
        }

        if (result.Rejection is null)
        {
            await scope.CommitAsync(cancellationToken);
        }

        return new NotificationTurnOutcome(Found: true, result.State.Status, result.Rejection);
    }
}
