using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Channels.Sms;

// Covers SMS through a whole node: a deployment with a Twilio account and SMS enabled delivers a
// notification to FakeTwilio, records Twilio's message SID, and logs nothing with the auth token.
// Not covered: classification details (TwilioSmsSenderTests).
public sealed class SmsDeliveryTests
{
    [Fact]
    public async Task A_node_with_twilio_sends_sms_and_records_the_message_sid()
    {
        await using var twilio = await FakeTwilio.StartAsync();
        var logs = new RecordingLoggerProvider();
        var postgres = await PostgresServer.GetAsync();
        var database = await postgres.CreateDatabaseAsync("sms");
        await using var node = await NotiflyNode.StartAsync(database, new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "EMAIL",
            ["Notifly:Channels:Enabled:1"] = "WEBHOOK",
            ["Notifly:Channels:Enabled:2"] = "SMS",
            ["Notifly:Channels:Twilio:AccountSid"] = FakeTwilio.AccountSid,
            ["Notifly:Channels:Twilio:AuthToken"] = FakeTwilio.AuthToken,
            ["Notifly:Channels:Twilio:From"] = "+15005550006",
            ["Notifly:Channels:Twilio:BaseUrl"] = twilio.BaseAddress,
        }, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(RecordingLoggerProvider).FullName, null, LogLevel.Debug, null)));
        });
        var tenant = await node.CreateTenantAsync();

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "SMS" },
            recipient = new { phone = "+15558675310" },
            payload = new { order = 42 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        details.Deliveries.Single().Status.Should().Be(DeliveryStatus.Sent);
        var message = twilio.Messages.Single();
        message.Form["To"].Should().Be("+15558675310");
        message.Form["Body"].Should().Be("order: 42");
        (await ProviderMessageIdAsync(database, accepted.RequestId)).Should().Be(message.Sid);
        details.Logs.Single(l => l.Status == "SENT").ProviderMessageId.Should().Be(message.Sid, "the attempt shows the provider's message id");

        // The same API takes a WhatsApp address: intake accepts it and Twilio gets both ends prefixed.
        var whatsapp = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "SMS" },
            recipient = new { phone = "whatsapp:+15558675311" },
            payload = new { order = 43 },
        });
        await tenant.Http.WaitForStatusAsync(whatsapp.RequestId, NotificationStatus.Sent);
        var sent = twilio.Messages.Single(m => m.Form["To"] == "whatsapp:+15558675311");
        sent.Form["From"].Should().Be("whatsapp:+15005550006");
        logs.Lines.Should().NotContain(line => line.Contains(FakeTwilio.AuthToken, StringComparison.Ordinal));
    }

    private static async Task<string?> ProviderMessageIdAsync(string database, Guid notificationId)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(
            "SELECT provider_message_id FROM notification_logs WHERE notification_id = $1 AND status = 'SENT'");
        command.Parameters.Add(new NpgsqlParameter { Value = notificationId });
        return (string?)await command.ExecuteScalarAsync();
    }
}
