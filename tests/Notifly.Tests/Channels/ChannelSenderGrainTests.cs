// The channel sender grain on Orleans' in-process test cluster: activated by the cluster's client
// for the webhook channel, it sends through the real provider router (a PostgreSQL database for
// the tenant's providers, the deployment's webhook sender) to a real HTTP receiver, and returns
// the router's classification across the grain boundary. Failover and circuits are the router's
// and are covered by the provider tests; the dispatcher's use of the grain by the end-to-end ones.
using Microsoft.Extensions.Configuration;
using Notifly.GrainInterfaces.Channels;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Hosting;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;
using Orleans.TestingHost;

namespace Notifly.Tests.Channels;

public sealed class ChannelSenderGrainTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        var postgres = await PostgresServer.GetAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Notifly"] = await postgres.CreateDatabaseAsync("grain"),
            ["Notifly:Channels:Webhook:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Notifly:Channels:Webhook:Timeout"] = "00:00:02",
            ["Notifly:Secrets:Keys:test-1"] = NotiflyNode.TestSecretsKey,
            ["Notifly:Secrets:ActiveKey"] = "test-1",
        };

        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.Services.AddNotiflyCore(host.Configuration);
            host.Services.AddNotiflyProviders(host.Configuration);
            host.Services.AddNotiflyChannels(host.Configuration);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task Sends_a_webhook_delivery_and_reports_success()
    {
        var work = SendWorks.Create(Channel.Webhook, new Recipient(WebhookUrl: _receiver.Url));

        var result = await Sender().SendAsync(work.ToRequest());

        result.Outcome.Should().Be(ChannelSendOutcome.Success);
        result.ErrorCode.Should().BeNull();
        result.Provider.Should().NotBeNullOrEmpty();
        var received = await _receiver.WaitForRequestsAsync(1, TimeSpan.FromSeconds(10));
        received.Should().ContainSingle(r => r.Body.Contains(work.NotificationId.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Classifies_a_503_with_retry_after_as_transient()
    {
        _receiver.EnqueueResponse(503, retryAfter: TimeSpan.FromSeconds(7));
        var work = SendWorks.Create(Channel.Webhook, new Recipient(WebhookUrl: _receiver.Url));

        var result = await Sender().SendAsync(work.ToRequest());

        result.Outcome.Should().Be(ChannelSendOutcome.Transient);
        result.ProviderStatus.Should().Be(503);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        result.ToOutcome().IsProviderFault.Should().BeTrue();
    }

    [Fact]
    public async Task Refuses_a_delivery_for_another_channel()
    {
        var work = SendWorks.Create(Channel.Webhook, new Recipient(WebhookUrl: _receiver.Url));

        var send = () => _cluster.Client.GetGrain<IChannelSenderGrain>("EMAIL").SendAsync(work.ToRequest());

        await send.Should().ThrowAsync<ArgumentException>();
        _receiver.Requests.Should().BeEmpty();
    }

    private IChannelSenderGrain Sender() => _cluster.Client.ChannelSender(Channel.Webhook);
}
