using System.Collections.Frozen;
using System.Text.Json;
using Notifly.GrainInterfaces.StatusWebhooks;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>The wire names of <see cref="WebhookDeliveryStatus"/> ("pending", …), as stored in <c>webhook_deliveries.status</c>.</summary>
public static class DeliveryStatusNames
{
    private static readonly FrozenDictionary<WebhookDeliveryStatus, string> Names =
        Enum.GetValues<WebhookDeliveryStatus>().ToFrozenDictionary(s => s, s => JsonSerializer.Serialize(s).Trim('"'));

    private static readonly FrozenDictionary<string, WebhookDeliveryStatus> Statuses =
        Names.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    public static string Name(this WebhookDeliveryStatus status) => Names[status];

    public static WebhookDeliveryStatus Parse(string name) => Statuses[name];

    public static bool TryParse(string name, out WebhookDeliveryStatus status) => Statuses.TryGetValue(name, out status);
}
