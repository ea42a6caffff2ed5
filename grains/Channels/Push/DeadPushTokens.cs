using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Recipients;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// FCM answers UNREGISTERED or INVALID_ARGUMENT for a token that will never work again (the app
/// was uninstalled, the token is malformed): it is taken out of the recipient's profile, so
/// the next notification to that user does not try it. Best effort: if this fails, the next
/// failed send tries again.
/// </summary>
public sealed partial class DeadPushTokens(Database database, RecipientStore recipients, ILogger<DeadPushTokens> logger)
{
    public static bool IsDead(SendWork work, AttemptOutcome outcome) =>
        work.Channel == Channel.Push && outcome.Kind == OutcomeKind.Permanent
        && outcome.ErrorCode is "FCM_UNREGISTERED" or "FCM_INVALID_ARGUMENT" && work.Recipient.PushToken is { Length: > 0 };

    public async Task ForgetAsync(SendWork work, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            // Under the notification's tenant (RLS): a token can only leave that tenant's profiles.
            await using var scope = await database.BeginTenantScopeAsync(work.TenantId, null, cancellationToken);
            var profiles = await recipients.RemovePushTokenAsync(scope, work.Recipient.PushToken!, outcome.ErrorCode!, cancellationToken);
            await scope.CommitAsync(cancellationToken);
            LogRemoved(profiles, outcome.ErrorCode!, work.NotificationId);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(ex, work.NotificationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed a dead push token ({Reason}) from {Profiles} recipient profile(s); notification {NotificationId}")]
    private partial void LogRemoved(int profiles, string reason, Guid notificationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove a dead push token after notification {NotificationId}; the next failed send tries again")]
    private partial void LogFailed(Exception ex, Guid notificationId);
}
