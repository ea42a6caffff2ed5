// Recipient profiles and preferences end to end through a real node (docs/0009): profile CRUD and
// tenant isolation, a send naming only userId delivered to the profile's addresses, explicit
// addresses winning, opted-out channels SKIPPED with an audit event and never sent (globally,
// per event type, every channel), List-Unsubscribe headers and the one-click endpoint, forged
// tokens refused. Kafka requests get preferences through the same intake and their address
// lookup in the ingestion batch (docs/0009); KafkaIngestionTests covers that.
using System.Net;
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Recipients;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;

namespace Notifly.Tests.Recipients;

public class RecipientPreferenceTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Profile_is_created_read_replaced_and_deleted_and_another_tenant_gets_404()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        var put = await tenant.Http.PutAsJsonAsync("/api/recipients/u-1",
            new { email = "a@example.com", phone = "+15551234567", pushTokens = new[] { "tok" }, locale = "fr", timezone = "Europe/Paris" }, Json.Options);
        put.StatusCode.Should().Be(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());

        var read = await (await tenant.Http.GetAsync("/api/recipients/u-1")).ReadAsync<RecipientProfile>();
        read.Email.Should().Be("a@example.com");
        read.PushTokens.Should().Equal("tok");
        read.Timezone.Should().Be("Europe/Paris");

        (await tenant.Http.PutAsJsonAsync("/api/recipients/u-1", new { email = "b@example.com" }, Json.Options)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await tenant.Http.GetAsync("/api/recipients/u-1")).ReadAsync<RecipientProfile>()).Phone.Should().BeNull("a PUT replaces the profile whole");

        (await other.Http.GetAsync("/api/recipients/u-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Http.DeleteAsync("/api/recipients/u-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var bad = await tenant.Http.PutAsJsonAsync("/api/recipients/u-1", new { email = "not-an-email" }, Json.Options);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        (await tenant.Http.DeleteAsync("/api/recipients/u-1")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await tenant.Http.GetAsync("/api/recipients/u-1")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Profiles_are_listed_in_user_id_order_a_page_at_a_time_and_only_the_tenants_own()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var other = await fixture.Node.CreateTenantAsync();
        foreach (var userId in new[] { "carol", "alice", "bob" })
        {
            (await tenant.Http.PutAsJsonAsync($"/api/recipients/{userId}", new { email = $"{userId}@example.com" })).EnsureSuccessStatusCode();
        }

        (await other.Http.PutAsJsonAsync("/api/recipients/aaron", new { email = "aaron@example.com" })).EnsureSuccessStatusCode();

        var first = await (await tenant.Http.GetAsync("/api/recipients?limit=2")).ReadAsync<Page<RecipientProfile>>();
        first.Items.Select(p => p.UserId).Should().Equal("alice", "bob");
        first.Items[0].Email.Should().Be("alice@example.com");
        first.NextCursor.Should().NotBeNull();
        var second = await (await tenant.Http.GetAsync($"/api/recipients?limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}"))
            .ReadAsync<Page<RecipientProfile>>();
        second.Items.Select(p => p.UserId).Should().Equal("carol");
        second.NextCursor.Should().BeNull();
        (await (await other.Http.GetAsync("/api/recipients")).ReadAsync<Page<RecipientProfile>>()).Items.Select(p => p.UserId)
            .Should().Equal("aaron");

        using var bad = await tenant.Http.GetAsync("/api/recipients?limit=0");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ProblemAsync()).GetProperty("errors").TryGetProperty("limit", out _).Should().BeTrue();
    }

    // Regression: replacing preferences that restate an existing row answered 500 (the DELETE and
    // the INSERT were one statement, and the INSERT still saw the row it meant to replace).
    [Fact]
    public async Task Preferences_can_be_replaced_with_the_same_rows_again()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        (await tenant.Http.PutAsJsonAsync("/api/recipients/u-2", new { email = "a@example.com", preferences = new { channels = new { SMS = false } } }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        for (var i = 0; i < 2; i++)
        {
            var put = await tenant.Http.PutAsJsonAsync("/api/recipients/u-2/preferences",
                new { channels = new { SMS = false }, eventTypes = new Dictionary<string, object> { ["promo"] = new { EMAIL = false } } });
            put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        }

        var read = await (await tenant.Http.GetAsync("/api/recipients/u-2/preferences")).ReadAsync<RecipientPreferences>();
        read.Channels.Should().ContainKey("SMS").WhoseValue.Should().BeFalse();
    }

    [Fact]
    public async Task Request_with_only_userId_is_delivered_to_the_profile_and_explicit_address_wins()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var email = $"p-{Guid.NewGuid():N}@example.com";
        await PutProfileAsync(tenant, "u-2", new { email, webhookUrl = receiver.Url });

        var fromProfile = await tenant.Http.SendOkAsync(new { eventType = "order.shipped", userId = "u-2", payload = new { id = 1 } });
        (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(email, StringComparison.Ordinal) == true)).Should().ContainSingle();
        await receiver.WaitForRequestsAsync(1, Wait);
        await tenant.Http.WaitForStatusAsync(fromProfile.RequestId, NotificationStatus.Sent, Wait);

        var explicitEmail = $"x-{Guid.NewGuid():N}@example.com";
        var explicitSend = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped", userId = "u-2", channels = new[] { "EMAIL" }, recipient = new { email = explicitEmail }, payload = new { id = 2 },
        });
        (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(explicitEmail, StringComparison.Ordinal) == true)).Should().ContainSingle();
        await tenant.Http.WaitForStatusAsync(explicitSend.RequestId, NotificationStatus.Sent, Wait);

        var missing = await tenant.Http.SendAsync(new { eventType = "order.shipped", userId = "nobody", channels = new[] { "EMAIL" }, payload = new { } });
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.ProblemAsync()).GetProperty("errors").TryGetProperty("recipient.email", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Opted_out_channel_is_skipped_and_audited_never_sent_while_the_other_channel_is_sent()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var email = $"o-{Guid.NewGuid():N}@example.com";
        await PutProfileAsync(tenant, "u-3", new { email, webhookUrl = receiver.Url, preferences = new { channels = new { EMAIL = false } } });

        var accepted = await tenant.Http.SendOkAsync(new { eventType = "order.shipped", userId = "u-3", channels = new[] { "EMAIL", "WEBHOOK" }, payload = new { } });
        await receiver.WaitForRequestsAsync(1, Wait);
        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent, Wait);
        details.Deliveries.Single(d => d.Channel == Channel.Email).Should().Match<DeliveryView>(d => d.Status == DeliveryStatus.Skipped && d.Attempts == 0);

        var events = await (await tenant.Http.GetAsync($"/api/notifications/{accepted.RequestId}/events")).ReadAsync<List<NotificationEventView>>();
        var skipped = events.Should().ContainSingle(e => e.Event == "SKIPPED").Subject;
        skipped.Details!.Value.GetProperty("channel").GetString().Should().Be("EMAIL");
        skipped.Details!.Value.GetProperty("reason").GetString().Should().Be("OPTED_OUT");
        fixture.Smtp.Messages().Should().NotContain(m => m.To != null && m.To.Contains(email, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Per_event_type_opt_out_affects_only_that_event_type_and_all_channels_out_skips_the_notification()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await PutProfileAsync(tenant, "u-4", new { webhookUrl = receiver.Url });
        var prefs = await tenant.Http.PutAsJsonAsync("/api/recipients/u-4/preferences",
            new { eventTypes = new Dictionary<string, object> { ["promo.weekly"] = new { WEBHOOK = false } } }, Json.Options);
        prefs.StatusCode.Should().Be(HttpStatusCode.OK, await prefs.Content.ReadAsStringAsync());

        var promo = await tenant.Http.SendOkAsync(new { eventType = "promo.weekly", userId = "u-4", payload = new { kind = "promo" } });
        promo.Status.Should().Be(NotificationStatus.Skipped, "every channel of the request is opted out");
        var order = await tenant.Http.SendOkAsync(new { eventType = "order.shipped", userId = "u-4", payload = new { kind = "order" } });

        await tenant.Http.WaitForStatusAsync(order.RequestId, NotificationStatus.Sent, Wait);
        var details = await tenant.Http.GetNotificationAsync(promo.RequestId);
        details.Notification.Status.Should().Be(NotificationStatus.Skipped);
        details.Deliveries.Should().ContainSingle().Which.Status.Should().Be(DeliveryStatus.Skipped);
        receiver.Requests.Should().ContainSingle().Which.Body.Should().Contain("order");
    }

    [Fact]
    public async Task Email_carries_one_click_headers_and_posting_the_link_opts_out_while_a_forged_token_changes_nothing()
    {
        var tenant = await fixture.Node.CreateTenantAsync();
        var email = $"c-{Guid.NewGuid():N}@example.com";
        await PutProfileAsync(tenant, "u-5", new { email });

        var first = await tenant.Http.SendOkAsync(new { eventType = "digest", userId = "u-5", payload = new { } });
        var mail = (await fixture.Smtp.WaitForMessagesAsync(1, Wait, m => m.To?.Contains(email, StringComparison.Ordinal) == true)).Single();
        mail.Header("List-Unsubscribe-Post").Should().Be("List-Unsubscribe=One-Click");
        var header = mail.Header("List-Unsubscribe")!;
        header.Should().StartWith("<http").And.EndWith(">");
        var token = header.TrimEnd('>')[(header.LastIndexOf('/') + 1)..];
        await tenant.Http.WaitForStatusAsync(first.RequestId, NotificationStatus.Sent, Wait);

        using var anonymous = fixture.Node.Client();
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        (await anonymous.PostAsync($"/u/{forged}", OneClickBody())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await anonymous.PostAsync("/u/garbage", OneClickBody())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await (await tenant.Http.GetAsync("/api/recipients/u-5/preferences")).ReadAsync<RecipientPreferences>()).EventTypes.Should().BeEmpty();

        (await anonymous.PostAsync($"/u/{token}", OneClickBody())).StatusCode.Should().Be(HttpStatusCode.OK);
        var preferences = await (await tenant.Http.GetAsync("/api/recipients/u-5/preferences")).ReadAsync<RecipientPreferences>();
        preferences.EventTypes!["digest"]["EMAIL"].Should().BeFalse();

        var next = await tenant.Http.SendOkAsync(new { eventType = "digest", userId = "u-5", payload = new { } });
        next.Status.Should().Be(NotificationStatus.Skipped);
    }

    private static FormUrlEncodedContent OneClickBody() => new([new("List-Unsubscribe", "One-Click")]);

    private static async Task PutProfileAsync(TestTenant tenant, string userId, object profile)
    {
        var response = await tenant.Http.PutAsJsonAsync($"/api/recipients/{userId}", profile, Json.Options);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }
}
