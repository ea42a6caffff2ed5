using Microsoft.Extensions.Options;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Runtime;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Refuses to start a silo whose attempt lease is shorter than a sender's timeout: another node
/// would take over attempts that are slow but still running, and deliver them twice.
/// </summary>
public sealed class LeaseCoversTimeouts(IOptions<WebhookOptions> webhook, IOptions<SmtpOptions> smtp) : IValidateOptions<DispatchOptions>
{
    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        var longest = webhook.Value.Timeout > smtp.Value.Timeout ? webhook.Value.Timeout : smtp.Value.Timeout;
        return options.Lease > longest
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Notifly:Dispatch:Lease ({options.Lease}) must be longer than the longest sender timeout ({longest}, " +
                "Notifly:Channels:Webhook:Timeout / Notifly:Channels:Smtp:Timeout).");
    }
}
