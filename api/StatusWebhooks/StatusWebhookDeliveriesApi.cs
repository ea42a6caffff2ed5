using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Queries;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Storage;

namespace Notifly.Api.StatusWebhooks;

/// <summary>An endpoint's deliveries under <c>/api/webhooks/{id}</c>: the listing, redelivery and the test ping.</summary>
public static class StatusWebhookDeliveriesApi
{
    public static async Task<Results<Ok<Page<WebhookDeliveryView>>, ProblemHttpResult>> List(
        Guid id, HttpContext context, Database database, CancellationToken cancellationToken,
        string? status = null, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        WebhookDeliveryStatus? filter = null;
        if (status is not null)
        {
            if (DeliveryStatusNames.TryParse(status, out var parsed)) filter = parsed;
            else errors["status"] = [$"unknown status '{status}' (pending, retrying, succeeded, failed)."];
        }

        var (pageSize, after) = ListQuery.Read(limit, cursor, PagedList.WebhookDeliveries, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var page = await WebhookDeliveryQueries.ListAsync(scope, id, filter, pageSize, after, cancellationToken);
        return page is null ? StatusWebhooksApi.NotFound() : TypedResults.Ok(page);
    }

    /// <summary>
    /// <c>GET /api/webhooks/deliveries?notificationId=</c>: every delivery one notification caused,
    /// across the tenant's endpoints, oldest first (a notification's page shows them).
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<WebhookDeliveryView>>, ProblemHttpResult>> ForNotification(
        HttpContext context, Database database, CancellationToken cancellationToken, Guid? notificationId = null)
    {
        if (notificationId is not { } id)
        {
            return Problems.Validation("notificationId", "notificationId (a notification's id) is required.");
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await WebhookDeliveryQueries.ForNotificationAsync(scope, id, cancellationToken));
    }

    /// <summary>Queues a finished delivery (succeeded or failed) for another attempt now.</summary>
    public static async Task<Results<Accepted<WebhookDeliveryView>, ProblemHttpResult>> Redeliver(
        Guid id, Guid deliveryId, HttpContext context, Database database, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return await CommitAsync(scope, await WebhookDeliveryQueries.RedeliverAsync(scope, id, deliveryId, time.GetUtcNow(), cancellationToken),
            cancellationToken);
    }

    /// <summary>Sends the endpoint a <c>webhook.test</c> event, to check its URL and signature verification.</summary>
    public static async Task<Results<Accepted<WebhookDeliveryView>, ProblemHttpResult>> Test(
        Guid id, HttpContext context, Database database, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return await CommitAsync(scope, await WebhookDeliveryQueries.PingAsync(scope, id, time.GetUtcNow(), cancellationToken), cancellationToken);
    }

    private static async Task<Results<Accepted<WebhookDeliveryView>, ProblemHttpResult>> CommitAsync(
        TenantScope scope, Queued queued, CancellationToken cancellationToken)
    {
        switch (queued)
        {
            case Queued.Done done:
                await scope.CommitAsync(cancellationToken);
                return TypedResults.Accepted($"/api/webhooks/{done.Delivery.EndpointId}/deliveries", done.Delivery);
            case Queued.EndpointDisabled:
                return StatusWebhookProblems.EndpointDisabled();
            case Queued.AlreadyQueued:
                return Problems.InvalidState("The delivery is still queued (pending or retrying); it will be attempted at its nextAttemptAt.");
            default:
                return Problems.NotFound("Webhook endpoint or delivery");
        }
    }
}
