using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.RateLimits;
using Notifly.Api.Templates;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Intake;
using Notifly.Grains.Notifications;
using Notifly.Grains.Queries;
using Notifly.Grains.Recipients;
using Notifly.Grains.Runtime;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;
using Notifly.Grains.Tenants;
using Notifly.Grains.Tenants.Policies;
using Notifly.Grains.Tenants.RateLimits;

namespace Notifly.Api.Notifications;

/// <summary><c>/api/notifications</c>: intake (single and batch), status, audit events, listing, cancel.</summary>
public static class NotificationsApi
{
    public static RouteGroupBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notifications").RequireAuthorization(Policies.Read).WithTags("Notifications");
        api.MapPost("/", Send).WithName("SendNotification").RequireAuthorization(Policies.Send).ReadsJsonBody<SendNotificationRequest>()
            .MayAnswer(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status429TooManyRequests);
        api.MapPost("/batch", SendBatch).WithName("SendNotificationBatch").RequireAuthorization(Policies.Send).ReadsJsonBody<BatchSendRequest>()
            .MayAnswer(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new RequestSizeLimitAttribute(ApiServiceCollectionExtensions.MaxBatchBodyBytes));
        api.MapGet("/", List).WithName("ListNotifications");
        api.MapGet("/{requestId:guid}", Get).WithName("GetNotification");
        api.MapGet("/{requestId:guid}/events", Events).WithName("GetNotificationEvents");
        api.MapPost("/{requestId:guid}/cancel", Cancel).WithName("CancelNotification").RequireAuthorization(Policies.Send).MayAnswer(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Accepted<NotificationAccepted>, ProblemHttpResult>> Send(
        HttpContext context, IntakeWriter intake, TemplateIntake templates, RecipientIntake recipients, RateLimiter limiter,
        IOptions<ChannelsOptions> channels, TimeProvider time, CancellationToken cancellationToken)
    {
        // Before reading the body: a request over the limit costs no parsing, validation or intake.
        var limit = await limiter.AcquireAsync(context.Caller().TenantId, 1, cancellationToken);
        if (limit.Admitted == 0)
        {
            return RateLimitResponses.Refuse(context, limit, 1);
        }

        var (item, problem) = await ReadRequestAsync(context, channels.Value, recipients, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        (item, problem) = await TemplateSends.RenderAsync(item!, templates, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var outcome = (await intake.SubmitAsync([item!], cancellationToken))[0];
        switch (outcome)
        {
            case IntakeOutcome.Accepted accepted:
                if (accepted.Replayed)
                {
                    context.Response.Headers["Idempotent-Replayed"] = "true";
                }

                return TypedResults.Accepted($"/api/notifications/{accepted.Response.RequestId}", accepted.Response);
            case IntakeOutcome.Conflict conflict:
                return Problems.Conflict(conflict.ExistingRequestId);
            case IntakeOutcome.Invalid invalid:
                return Problems.Validation("$", invalid.Message);
            case IntakeOutcome.Failed failed:
                throw failed.Error; // a 500 for this request only (the intake writer logged it with its stack)
            default:
                // The key was revoked, or the tenant suspended, since this node cached the key.
                return await context.RequestServices.GetRequiredService<TenantService>().FindAsync(context.Caller().TenantId, cancellationToken)
                    is { Status: Tenant.Suspended }
                    ? Problems.TenantSuspended()
                    : Problems.InvalidApiKey();
        }
    }

    /// <summary>
    /// What the tenant's settings decide for one request: the channels it may use (the
    /// deployment's less those the tenant turned off → CHANNEL_DISABLED), and — when the request
    /// names no channels — its event type's fallback order, without the turned-off channels.
    /// </summary>
    private static async Task<(ISet<Channel> Enabled, IReadOnlyList<Channel>? Fallback)> TenantChannelsAsync(
        HttpContext context, SendNotificationRequest request, ISet<Channel> deployment, CancellationToken cancellationToken)
    {
        var policies = await context.RequestServices.GetRequiredService<TenantPolicyCache>().GetAsync(context.Caller().TenantId, cancellationToken);
        var enabled = policies.Enabled(deployment);
        if (request.Channels is { Count: > 0 } || request.EventType is not { } eventType)
        {
            return (enabled, null);
        }

        return (enabled, policies.FallbackFor(eventType.Trim())?.Where(c => !policies.Disabled.Contains(c)).ToArray());
    }

    private static async Task<Validation> ValidateAsync(
        HttpContext context, SendNotificationRequest request, ISet<Channel> deployment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (enabled, fallback) = await TenantChannelsAsync(context, request, deployment, cancellationToken);
        return RequestValidator.Validate(request, null, enabled, now, fallback);
    }

    /// <summary>Everything <see cref="Send"/> does before the group commit: read, validate, attribute to the caller.</summary>
    public static Task<(IntakeItem? Item, ProblemHttpResult? Problem)> ReadRequestAsync(
        HttpContext context, ChannelsOptions channels, TimeProvider time, CancellationToken cancellationToken) =>
        ReadRequestAsync(context, channels, null, time, cancellationToken);

    /// <summary>As above, with the missing addresses of a request naming a userId filled from the profile first (docs/0009).</summary>
    public static async Task<(IntakeItem? Item, ProblemHttpResult? Problem)> ReadRequestAsync(
        HttpContext context, ChannelsOptions channels, RecipientIntake? recipients, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<SendNotificationRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (recipients is not null)
        {
            request = (await recipients.FillAsync(context.Caller().TenantId, [request], cancellationToken))[0];
        }

        var header = context.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var (enabled, fallback) = await TenantChannelsAsync(context, request!, channels.Enabled, cancellationToken);
        var validation = RequestValidator.Validate(request!, header, enabled, time.GetUtcNow(), fallback);
        return validation.IsValid
            ? (IntakeItem.FromApi(context.Caller(), validation.Request!), null)
            : (null, Problems.Validation(validation.Errors, validation.ErrorCode!));
    }

    public static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> SendBatch(
        HttpContext context, IntakeWriter intake, TemplateIntake templates, RecipientIntake recipients, RateLimiter limiter,
        IOptions<ChannelsOptions> channels, TimeProvider time, CancellationToken cancellationToken)
    {
        // Items stay JSON until each is read on its own: one item's bad value or unstorable text
        // refuses that item, never its neighbours.
        var (batch, unstorable, problem) = await JsonBody.ReadLenientAsync<BatchEnvelope>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (unstorable.Where(u => BatchEnvelope.ItemIndex(u.Path) is null).ToArray() is { Length: > 0 } outside)
        {
            return JsonBody.Unstorable(outside); // outside any item: the envelope itself is at fault
        }

        if (batch!.Notifications is not { Count: > 0 } items || items.Count > IntakeLimits.MaxBatchSize)
        {
            return Problems.Validation("notifications", $"notifications must hold 1–{IntakeLimits.MaxBatchSize} requests.");
        }

        // Every item costs a token. The first items that fit go on; the rest are refused one by
        // one (429 in their results), and the whole batch only when not one of them fits.
        var limit = await limiter.AcquireAsync(context.Caller().TenantId, items.Count, cancellationToken);
        if (limit.Admitted == 0)
        {
            return RateLimitResponses.Refuse(context, limit, items.Count);
        }

        var results = new BatchItemResult[items.Count];
        if (limit.Admitted < items.Count)
        {
            var seconds = RateLimitResponses.SetHeaders(context, limit, items.Count - limit.Admitted);
            for (var i = limit.Admitted; i < items.Count; i++)
            {
                results[i] = new BatchItemResult(i, StatusCodes.Status429TooManyRequests, ErrorCode: ErrorCodes.RateLimitExceeded,
                    Error: $"the tenant's rate limit is exceeded; retry after {seconds} s.");
            }
        }

        var now = time.GetUtcNow();
        var read = BatchEnvelope.ReadItems(items, limit.Admitted, unstorable);
        var requests = await recipients.FillAsync(context.Caller().TenantId, read.Select(r => r.Request).ToArray(), cancellationToken);
        var valid = new List<(int Index, IntakeItem Item)>();
        for (var i = 0; i < limit.Admitted; i++)
        {
            var validation = read[i].Refusal ?? (requests[i] is not { } request
                ? new Validation(null, new Dictionary<string, string[]> { ["$"] = ["item must be an object."] }, ErrorCodes.ValidationFailed)
                : await ValidateAsync(context, request, channels.Value.Enabled, now, cancellationToken));
            if (validation.IsValid)
            {
                validation = await templates.RenderAsync(context.Caller().TenantId, validation.Request!, cancellationToken);
            }

            if (validation.IsValid)
            {
                valid.Add((i, IntakeItem.FromApi(context.Caller(), validation.Request!)));
            }
            else
            {
                var status = validation.ErrorCode == ErrorCodes.TemplateNotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
                results[i] = new BatchItemResult(i, status, ErrorCode: validation.ErrorCode,
                    Error: string.Join(" ", validation.Errors.SelectMany(e => e.Value)));
            }
        }

        var outcomes = await intake.SubmitAsync(valid.Select(v => v.Item).ToArray(), cancellationToken);
        for (var n = 0; n < valid.Count; n++)
        {
            var i = valid[n].Index;
            results[i] = outcomes[n] switch
            {
                IntakeOutcome.Accepted a => new BatchItemResult(i, StatusCodes.Status202Accepted, a.Response.RequestId, a.Response.CorrelationId, a.Replayed),
                IntakeOutcome.Conflict c => new BatchItemResult(i, StatusCodes.Status409Conflict, c.ExistingRequestId,
                    ErrorCode: ErrorCodes.IdempotentConflict, Error: "idempotency key already used with a different request"),
                IntakeOutcome.Invalid invalid => new BatchItemResult(i, StatusCodes.Status400BadRequest, ErrorCode: ErrorCodes.ValidationFailed, Error: invalid.Message),
                IntakeOutcome.Failed => new BatchItemResult(i, StatusCodes.Status500InternalServerError, ErrorCode: ErrorCodes.InternalError,
                    Error: $"this item could not be stored; quote trace id {context.TraceIdentifier} when reporting this."),
                _ => new BatchItemResult(i, StatusCodes.Status401Unauthorized, ErrorCode: ErrorCodes.InvalidApiKey, Error: "API key revoked"),
            };
        }

        return TypedResults.Ok(new BatchResponse(
            results.Count(r => r.Status == StatusCodes.Status202Accepted), results.Count(r => r.Status != StatusCodes.Status202Accepted), results));
    }

    public static async Task<Results<Ok<NotificationDetails>, ProblemHttpResult>> Get(
        Guid requestId, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var details = await NotificationQueries.GetAsync(scope, requestId, cancellationToken);
        return details is null ? Problems.NotFound("Notification") : TypedResults.Ok(details);
    }

    public static async Task<Results<Ok<IReadOnlyList<NotificationEventView>>, ProblemHttpResult>> Events(
        Guid requestId, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var events = await NotificationQueries.EventsAsync(scope, requestId, cancellationToken);
        return events is null ? Problems.NotFound("Notification") : TypedResults.Ok(events);
    }

    public static async Task<Results<Ok<Page<NotificationView>>, ProblemHttpResult>> List(
        HttpContext context, Database database, CancellationToken cancellationToken,
        string? status = null, string? channel = null, string? eventType = null,
        DateTimeOffset? from = null, DateTimeOffset? to = null, int? limit = null, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        NotificationStatus? statusFilter = null;
        if (status is not null)
        {
            if (Wire.TryParseStatus(status.ToUpperInvariant(), out var s)) statusFilter = s;
            else errors["status"] = [$"unknown status '{status}'."];
        }

        Channel? channelFilter = null;
        if (channel is not null)
        {
            if (Wire.TryParseChannel(channel.ToUpperInvariant(), out var c)) channelFilter = c;
            else errors["channel"] = [$"unknown channel '{channel}'."];
        }

        var (pageSize, after) = ListQuery.Read(limit, cursor, PagedList.Notifications, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var page = await NotificationQueries.ListAsync(scope,
            new NotificationFilter(statusFilter, channelFilter, eventType, from, to, pageSize, after), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<NotificationDetails>, ProblemHttpResult>> Cancel(
        Guid requestId, HttpContext context, Database database, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var caller = context.NotificationCaller();
        var outcome = await grains.GetGrain<INotificationGrain>(requestId).Cancel(caller, cancellationToken);
        if (!outcome.Found)
        {
            return Problems.NotFound("Notification");
        }

        if (outcome.Rejection is { } reason)
        {
            return Problems.InvalidState(reason == "IN_FLIGHT"
                ? "An attempt is in flight; cancel again once it has finished."
                : $"A {outcome.Status.Name()} notification cannot be cancelled.");
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok((await NotificationQueries.GetAsync(scope, requestId, cancellationToken))!);
    }
}
