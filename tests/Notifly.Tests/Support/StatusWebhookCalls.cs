using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.StatusWebhooks;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Storage;

namespace Notifly.Tests.Support;

/// <summary>Typed calls to <c>/api/webhooks</c> and checks of what an endpoint received.</summary>
public static class StatusWebhookCalls
{
    public static async Task<WebhookEndpointCreated> CreateEndpointAsync(
        this HttpClient http, string url, string[] events, IDictionary<string, string>? headers = null)
    {
        var response = await http.PostAsJsonAsync("/api/webhooks", new { url, events, headers }, Json.Options);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(201, body);
        return JsonSerializer.Deserialize<WebhookEndpointCreated>(body, Json.Options)!;
    }

    public static async Task<WebhookEndpointView> GetEndpointAsync(this HttpClient http, Guid id)
    {
        var response = await http.GetAsync($"/api/webhooks/{id}");
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, body);
        return JsonSerializer.Deserialize<WebhookEndpointView>(body, Json.Options)!;
    }

    public static async Task<Page<WebhookDeliveryView>> DeliveriesAsync(this HttpClient http, Guid endpointId, string query = "")
    {
        var response = await http.GetAsync($"/api/webhooks/{endpointId}/deliveries{query}");
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, body);
        return JsonSerializer.Deserialize<Page<WebhookDeliveryView>>(body, Json.Options)!;
    }

    /// <summary>Queues a <c>webhook.test</c> ping and returns its delivery.</summary>
    public static async Task<WebhookDeliveryView> PingAsync(this HttpClient http, Guid endpointId)
    {
        var response = await http.PostAsync($"/api/webhooks/{endpointId}/test", null);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(202, body);
        return JsonSerializer.Deserialize<WebhookDeliveryView>(body, Json.Options)!;
    }

    /// <summary>The endpoint's delivery <paramref name="deliveryId"/> once it matches <paramref name="done"/>.</summary>
    public static Task<WebhookDeliveryView> WaitForDeliveryAsync(
        this HttpClient http, Guid endpointId, Guid deliveryId, Func<WebhookDeliveryView, bool> done, TimeSpan? deadline = null) =>
        Eventually.MatchAsync(
            async () => (await http.DeliveriesAsync(endpointId, "?limit=500")).Items.SingleOrDefault(d => d.Id == deliveryId),
            d => d is not null && done(d), deadline, $"delivery {deliveryId} to reach the expected state")!;

    public static Task<WebhookDeliveryView> WaitForStatusAsync(
        this HttpClient http, Guid endpointId, Guid deliveryId, WebhookDeliveryStatus status, TimeSpan? deadline = null) =>
        http.WaitForDeliveryAsync(endpointId, deliveryId, d => d.Status == status, deadline);

    /// <summary>True when the request's Standard Webhooks signature verifies with <paramref name="secret"/>.</summary>
    public static bool VerifiesWith(this ReceivedRequest request, string secret, DateTimeOffset now) =>
        StandardWebhookSigner.Verify(secret, request.Header("webhook-id")!, request.Header("webhook-timestamp")!, request.BodyBytes,
            request.Header("webhook-signature")!, TimeSpan.FromMinutes(5), now);

    public static JsonElement Document(this ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement;
}
