using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Http;
using Notifly.Grains.Security;

namespace Notifly.Api.StatusWebhooks;

public static class StatusWebhookProblems
{
    public static ProblemHttpResult DestinationNotAllowed(string host) =>
        Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.DestinationNotAllowed, "Webhooks may not reach this URL.",
            $"'{host}' resolves only to loopback, private, link-local or other internal addresses; an operator can allow a " +
            "network in Notifly:Channels:Webhook:AllowedNetworks.",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["url"] = ["the URL leads to an internal address."] } });

    public static ProblemHttpResult SecretsKeyNotConfigured() =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.SecretsKeyNotConfigured, "Secrets cannot be stored on this deployment.",
            $"An operator must configure {SecretsOptions.Section} (Keys and ActiveKey) before webhook endpoints can be created or rotated.");

    public static ProblemHttpResult EndpointDisabled() =>
        Problems.InvalidState("The endpoint is disabled; enable it first (POST /api/webhooks/{id}/enable).");
}
