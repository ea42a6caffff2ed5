// GET /api/admin/stream on a real node: a tenant's status changes arrive as server-sent events
// while they happen, never another tenant's, "reload" when more changed at once than a stream
// carries, and revoking the caller's key, deactivating the user or suspending the tenant ends it.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;

namespace Notifly.Tests.Notifications;

public class StatusStreamApiTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Streams_the_tenants_status_changes_as_they_happen_and_ends_when_the_key_is_revoked()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        using var created = await tenant.Http.PostAsJsonAsync("/api/admin/api-keys", new { name = "dashboard", role = "ADMIN" });
        var key = await created.ReadAsync<CreatedApiKey>();
        using var watching = fixture.Node.Client(key.Secret);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ours = await OpenAsync(watching, cancel.Token);
        var theirs = await OpenAsync(other.Http, cancel.Token);

        await using var receiver = await WebhookReceiver.StartAsync();
        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
        var statuses = new List<string>();
        while (!statuses.Contains("SENT"))
        {
            var (name, data) = await ours.Reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Deadline);
            name.Should().Be("status");
            data.GetProperty("requestId").GetGuid().Should().Be(accepted.RequestId);
            statuses.Add(data.GetProperty("status").GetString()!);
        }

        statuses.Should().StartWith("ACCEPTED").And.EndWith("SENT").And.OnlyHaveUniqueItems("each change is sent once");
        await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        theirs.Reader.TryRead(out var leaked).Should().BeFalse($"another tenant's stream saw {leaked}");

        (await tenant.Http.DeleteAsync($"/api/admin/api-keys/{key.Key.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var (last, _) = await ours.Reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Deadline);
        last.Should().Be("end");
        await ours.Reader.Completion.WaitAsync(Deadline); // and the server closed it
    }

    [Fact]
    public async Task Ends_when_the_tenant_is_suspended()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stream = await OpenAsync(tenant.Http, cancel.Token);
        using var operatorClient = fixture.Node.OperatorClient();

        (await operatorClient.PatchAsJsonAsync($"/api/operator/tenants/{tenant.Id}", new { status = "SUSPENDED" })).EnsureSuccessStatusCode();

        var (last, _) = await stream.Reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Deadline);
        last.Should().Be("end");
        await stream.Reader.Completion.WaitAsync(Deadline);
        (await tenant.Http.GetAsync("/api/admin/stream")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a suspended tenant cannot open another");
    }

    [Fact]
    public async Task Ends_when_the_watching_user_is_deactivated()
    {
        var (tenant, slug) = await Notifly.Tests.Users.UserSessions.CreateTenantAsync(fixture.Node);
        var user = await Notifly.Tests.Users.UserSessions.SignUpAsync(fixture.Node, tenant.Http, slug, "VIEWER");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var watching = user.Client(fixture.Node);
        var stream = await OpenAsync(watching, cancel.Token);

        (await tenant.Http.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { active = false })).EnsureSuccessStatusCode();

        var (last, _) = await stream.Reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Deadline);
        last.Should().Be("end");
        await stream.Reader.Completion.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Says_reload_when_more_changed_at_once_than_a_stream_carries()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stream = await OpenAsync(tenant.Http, cancel.Token);

        // scheduled for tomorrow: each is one change now (its creation) and nothing more
        var sendAt = DateTimeOffset.UtcNow.AddDays(1);
        var items = Enumerable.Range(0, Notifly.Grains.Queries.StatusFeed.MaxPerRead + 100).Select(i => new
        {
            eventType = "bulk", channels = new[] { "WEBHOOK" }, recipient = new { webhookUrl = "https://example.com/hook" }, payload = new { i }, sendAt,
        });
        (await tenant.Http.PostAsJsonAsync("/api/notifications/batch", new { notifications = items })).EnsureSuccessStatusCode();

        // (a read that caught the batch half-committed may send some as status events first)
        var seen = new List<string>();
        while (!seen.Contains("reload"))
        {
            var (name, _) = await stream.Reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Deadline);
            seen.Add(name);
        }

        seen.Count.Should().BeLessThan(Notifly.Grains.Queries.StatusFeed.MaxPerRead, "the dashboard reads the list again rather than take 600 events one by one");
    }

    /// <summary>Opens the stream and parses its events into a channel, completed when the server ends it.</summary>
    private static async Task<System.Threading.Channels.Channel<(string Event, JsonElement Data)>> OpenAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync("/api/admin/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = System.Threading.Channels.Channel.CreateUnbounded<(string, JsonElement)>();
        _ = Task.Run(async () =>
        {
            using (response)
            {
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                string? name = null;
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line["event: ".Length..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        events.Writer.TryWrite((name!, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
                    }
                }
            }

            events.Writer.TryComplete();
        }, cancellationToken);
        return events;
    }
}
