// SSRF protection for tenant webhooks: internal addresses are refused unless an operator allows
// their network; the sender checks what a name resolves to at connect time, refuses without
// ever reaching the address, and says so as a permanent failure. A node left with the default
// (nothing allowed) fails a webhook to loopback in the same way end to end.
using System.Net;
using Microsoft.Extensions.Options;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Webhook;
using Notifly.Tests.Support;

namespace Notifly.Tests.Channels.Webhook;

public sealed class EgressGuardTests : IAsyncLifetime
{
    private WebhookReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.5")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Refuses_internal_addresses_by_default(string address) =>
        new EgressGuard([]).IsAllowed(IPAddress.Parse(address)).Should().BeFalse();

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    public void Allows_public_addresses(string address) =>
        new EgressGuard([]).IsAllowed(IPAddress.Parse(address)).Should().BeTrue();

    [Fact]
    public void Allows_an_internal_network_the_operator_listed_and_nothing_else()
    {
        var guard = EgressGuard.FromOptions(new WebhookOptions { AllowedNetworks = ["10.20.0.0/16"] });

        guard.IsAllowed(IPAddress.Parse("10.20.3.4")).Should().BeTrue();
        guard.IsAllowed(IPAddress.Parse("10.21.3.4")).Should().BeFalse();
        guard.IsAllowed(IPAddress.Parse("127.0.0.1")).Should().BeFalse();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Sender_refuses_loopback_as_a_permanent_failure_without_connecting(string host)
    {
        using var client = WebhookSender.CreateHttpClient(new EgressGuard([]));
        var sender = new WebhookSender(client, Options.Create(new WebhookOptions()), TimeProvider.System);
        var url = new UriBuilder(receiver.Url) { Host = host }.Uri.ToString();

        var outcome = await sender.SendAsync(SendWorks.Create(Channel.Webhook, new Recipient(WebhookUrl: url), StandardWebhookSigner.GenerateSecret()),
            CancellationToken.None);

        outcome.Kind.Should().Be(OutcomeKind.Permanent);
        outcome.ErrorCode.Should().Be("DESTINATION_NOT_ALLOWED");
        receiver.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_node_without_allowed_networks_fails_a_webhook_to_loopback_for_good()
    {
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("egress"), new Dictionary<string, string?>
        {
            // Replaces the test default (loopback allowed) with a network nothing here uses.
            ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "192.0.2.0/24",
        });
        var tenant = await node.CreateTenantAsync();

        var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed);
        details.Deliveries.Single().LastErrorCode.Should().Be("DESTINATION_NOT_ALLOWED");
        receiver.Requests.Should().BeEmpty();
    }
}
