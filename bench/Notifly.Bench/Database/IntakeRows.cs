using System.Globalization;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Tenants;

namespace Notifly.Bench.Database;

/// <summary>
/// Requests of the shape the HTTP phases send, validated by the same RequestValidator the API
/// runs, so the database phases write what the API would have written.
/// </summary>
public static class IntakeRows
{
    public static IntakeItem[] Create(BenchTenant tenant, string webhookUrl, string runId, int count)
    {
        var principal = new ApiPrincipal(tenant.TenantId, tenant.KeyId, tenant.KeyPrefix, ApiPrincipal.AdminRole);
        var enabled = new HashSet<Channel> { Channel.Webhook };
        var now = DateTimeOffset.UtcNow;
        var items = new IntakeItem[count];
        for (var n = 0; n < count; n++)
        {
            using var payload = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture, $$$"""{"run":"{{{runId}}}","n":{{{n}}}}"""));
            var request = new SendNotificationRequest(
                "bench.event", payload.RootElement.Clone(), [Channel.Webhook], new Recipient(WebhookUrl: webhookUrl));
            var validation = RequestValidator.Validate(request, null, enabled, now);
            items[n] = IntakeItem.FromApi(principal, validation.Request ?? throw new InvalidOperationException(
                "the benchmark's own request does not validate: " + string.Join("; ", validation.Errors.SelectMany(e => e.Value))));
        }

        return items;
    }
}
