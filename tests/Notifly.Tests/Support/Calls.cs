using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Storage;

namespace Notifly.Tests.Support;

/// <summary>Typed calls to the public API, decoding with the same JSON settings as the server.</summary>
public static class Calls
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient http, object request, string? idempotencyKey = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/api/notifications") { Content = JsonContent.Create(request, options: Json.Options) };
        if (idempotencyKey is not null)
        {
            message.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return http.SendAsync(message);
    }

    public static async Task<NotificationAccepted> SendOkAsync(this HttpClient http, object request)
    {
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(202, body);
        return JsonSerializer.Deserialize<NotificationAccepted>(body, Json.Options)!;
    }

    public static async Task<NotificationDetails> GetNotificationAsync(this HttpClient http, Guid id)
    {
        var response = await http.GetAsync($"/api/notifications/{id}");
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, body);
        return JsonSerializer.Deserialize<NotificationDetails>(body, Json.Options)!;
    }

    public static Task<NotificationDetails> WaitForStatusAsync(this HttpClient http, Guid id, NotificationStatus status, TimeSpan? deadline = null) =>
        Eventually.MatchAsync(() => http.GetNotificationAsync(id), d => d.Notification.Status == status, deadline, $"notification {id} to reach {status}");

    /// <summary>A new SERVICE-role key of the tenant's; returns its secret.</summary>
    public static async Task<string> CreateServiceKeyAsync(this TestTenant tenant)
    {
        using var created = await tenant.Http.PostAsJsonAsync("/api/admin/api-keys", new { name = "backend", role = "SERVICE" });
        ((int)created.StatusCode).Should().Be(201, await created.Content.ReadAsStringAsync());
        return (await created.ReadAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        JsonSerializer.Deserialize<T>(await response.Content.ReadAsStringAsync(), Json.Options)!;

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    public static object Webhook(string url, string eventType = "user.signup", object? payload = null, string? idempotencyKey = null) => new
    {
        eventType,
        channels = new[] { "WEBHOOK" },
        recipient = new { webhookUrl = url },
        payload = payload ?? new { userId = "user123", name = "Ada" },
        idempotencyKey,
    };

    /// <summary>Every notification id the tenant can list, following the keyset cursor to the end.</summary>
    public static async Task<List<Guid>> ListAllIdsAsync(this HttpClient http, int pageSize = 500)
    {
        var ids = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await (await http.GetAsync($"/api/notifications?limit={pageSize}{(cursor is null ? "" : $"&cursor={cursor}")}"))
                .ReadAsync<Page<NotificationView>>();
            ids.AddRange(page.Items.Select(n => n.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return ids;
    }
}
