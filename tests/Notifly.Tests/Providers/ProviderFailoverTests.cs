using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Providers;

// Covers a tenant's providers through a whole node, each against its own FakeTwilio: priority
// order, failover to the next provider on a provider fault with an audit event per hand-over, the
// circuit opening (the failing provider is no longer called) and closing after the break, no
// failover for a recipient's fault, and a tenant without providers of a channel.
// Not covered: the breaker's arithmetic on a fake clock (ProviderSlotTests), the API's
// validation and secrecy (ProvidersApiTests).
public sealed class ProviderFailoverTests(ProviderFixture fixture) : IClassFixture<ProviderFixture>
{
    [Fact]
    public async Task Sms_goes_through_the_first_provider_by_priority()
    {
        await using var primary = await FakeTwilio.StartAsync();
        await using var backup = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant, ProviderFixture.Twilio("backup", 20, backup));
        await CreateAsync(tenant, ProviderFixture.Twilio("primary", 10, primary));

        var details = await SendSmsAsync(tenant, NotificationStatus.Sent);

        primary.Messages.Should().ContainSingle();
        backup.Messages.Should().BeEmpty();
        details.Logs.Should().ContainSingle().Which.Provider.Should().Be("primary");
    }

    [Fact]
    public async Task A_failing_provider_hands_over_to_the_next_and_its_circuit_opens_then_closes()
    {
        await using var primary = await FakeTwilio.StartAsync();
        await using var backup = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        var primaryId = await CreateAsync(tenant, ProviderFixture.Twilio("primary", 1, primary));
        await CreateAsync(tenant, ProviderFixture.Twilio("backup", 2, backup));
        primary.FailAll(503, 20500, "Service Unavailable");
        const string failovers = "notifly_provider_failovers_total{channel=\"SMS\"}";
        const string opened = "notifly_provider_circuit_transitions_total{kind=\"twilio\",state=\"open\"}";
        using var metrics = fixture.Node.Client();
        var before = await metrics.GetStringAsync("/metrics");

        // Two provider faults in a row: each attempt still arrives, through the backup.
        var first = await SendSmsAsync(tenant, NotificationStatus.Sent);
        first.Logs.Should().ContainSingle().Which.Provider.Should().Be("backup");
        (await FailoversAsync(first.Notification.RequestId)).Should().ContainSingle()
            .Which.Should().Be(new Failover("primary", "TWILIO_20500", "backup"));
        await SendSmsAsync(tenant, NotificationStatus.Sent);
        primary.Messages.Should().HaveCount(2);

        // The circuit is open now: the primary is skipped without being called.
        (await GetAsync(tenant, primaryId)).GetProperty("circuit").GetString().Should().Be("open");
        var skipped = await SendSmsAsync(tenant, NotificationStatus.Sent);
        (await FailoversAsync(skipped.Notification.RequestId)).Should().ContainSingle()
            .Which.Should().Be(new Failover("primary", "CIRCUIT_OPEN", "backup"));
        primary.Messages.Should().HaveCount(2);
        backup.Messages.Should().HaveCount(3);
        var after = await metrics.GetStringAsync("/metrics");
        MetricsText.Value(after, failovers).Should().BeGreaterThanOrEqualTo(MetricsText.Value(before, failovers) + 3);
        MetricsText.Value(after, opened).Should().BeGreaterThanOrEqualTo(MetricsText.Value(before, opened) + 1);

        // Recovered and past the break: the next attempt is the trial call, and it closes the circuit.
        primary.Recover();
        await Task.Delay(ProviderFixture.BreakDuration + TimeSpan.FromMilliseconds(200));
        var recovered = await SendSmsAsync(tenant, NotificationStatus.Sent);
        recovered.Logs.Should().ContainSingle().Which.Provider.Should().Be("primary");
        (await GetAsync(tenant, primaryId)).GetProperty("circuit").GetString().Should().Be("closed");
        backup.Messages.Should().HaveCount(3);
    }

    [Fact]
    public async Task A_recipients_fault_is_not_handed_to_another_provider()
    {
        await using var primary = await FakeTwilio.StartAsync();
        await using var backup = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant, ProviderFixture.Twilio("primary", 1, primary));
        await CreateAsync(tenant, ProviderFixture.Twilio("backup", 2, backup));
        primary.FailAll(400, 21211, "The 'To' number is not a valid phone number.");

        var details = await SendSmsAsync(tenant, NotificationStatus.Failed);

        details.Deliveries.Single().LastErrorCode.Should().Be("TWILIO_21211");
        backup.Messages.Should().BeEmpty();
        (await FailoversAsync(details.Notification.RequestId)).Should().BeEmpty();
    }

    [Fact]
    public async Task When_every_provider_fails_the_last_answer_stands()
    {
        await using var primary = await FakeTwilio.StartAsync();
        await using var backup = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        await CreateAsync(tenant, ProviderFixture.Twilio("primary", 1, primary));
        await CreateAsync(tenant, ProviderFixture.Twilio("backup", 2, backup, authToken: "not-the-token"));
        primary.FailAll(500, 20500, "Internal Server Error");

        var details = await SendSmsAsync(tenant, NotificationStatus.Failed);

        // The backup's refused credentials are the last word: permanent, and flagged as the provider's fault.
        details.Deliveries.Single().LastErrorCode.Should().Be("PROVIDER_AUTH_FAILED");
        details.Logs.Should().OnlyContain(l => l.Provider == "backup");
        backup.Messages.Should().BeEmpty("FakeTwilio records only authenticated requests");
    }

    [Fact]
    public async Task A_tenant_without_providers_of_a_channel_uses_the_deployments_which_here_has_none()
    {
        var tenant = await fixture.Node.CreateTenantAsync();

        var details = await SendSmsAsync(tenant, NotificationStatus.Failed);

        details.Deliveries.Single().LastErrorCode.Should().Be("CHANNEL_DISABLED");
    }

    [Fact]
    public async Task A_provider_deleted_through_an_api_node_is_no_longer_used_by_the_silos_dispatcher()
    {
        await using var primary = await FakeTwilio.StartAsync();
        await using var backup = await FakeTwilio.StartAsync();
        var tenant = await fixture.Node.CreateTenantAsync();
        var primaryId = await CreateAsync(tenant, ProviderFixture.Twilio("primary", 10, primary));
        await CreateAsync(tenant, ProviderFixture.Twilio("backup", 20, backup));
        await SendSmsAsync(tenant, NotificationStatus.Sent); // the dispatcher has loaded both
        primary.Messages.Should().ContainSingle();

        // The change comes through another node of the cluster; the dispatcher's node only hears
        // of it from the tenant's grain (its providers would otherwise stay loaded for ever).
        await using var api = await NotiflyNode.StartAsync(fixture.ConnectionString, fixture.Node.GatewaySettings(), NotiflyRole.Api);
        using var viaApi = api.Client(tenant.AdminKey);
        (await viaApi.DeleteAsync($"/api/admin/providers/{primaryId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var details = await SendSmsAsync(tenant, NotificationStatus.Sent);
        details.Logs.Should().ContainSingle().Which.Provider.Should().Be("backup");
        primary.Messages.Should().ContainSingle("the deleted provider was not called again");
    }

    private async Task<NotificationDetails> SendSmsAsync(TestTenant tenant, NotificationStatus status)
    {
        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "SMS" },
            recipient = new { phone = "+15558675310" },
            payload = new { order = 42 },
        });
        return await tenant.Http.WaitForStatusAsync(accepted.RequestId, status);
    }

    internal static async Task<Guid> CreateAsync(TestTenant tenant, object provider)
    {
        using var response = await tenant.Http.PostAsJsonAsync("/api/admin/providers", provider);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> GetAsync(TestTenant tenant, Guid id) =>
        await (await tenant.Http.GetAsync($"/api/admin/providers/{id}")).ReadAsync<JsonElement>();

    private async Task<IReadOnlyList<Failover>> FailoversAsync(Guid notificationId)
    {
        await using var dataSource = NpgsqlDataSource.Create(fixture.ConnectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT details::text FROM notification_events WHERE notification_id = $1 AND event = 'PROVIDER_FAILOVER' ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = notificationId });
        var events = new List<Failover>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(JsonSerializer.Deserialize<Failover>(reader.GetString(0), JsonSerializerOptions.Web)!);
        }

        return events;
    }

    private sealed record Failover(string? Provider, string? ErrorCode, string? NextProvider);
}
