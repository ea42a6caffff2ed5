using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Storage;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Channels.Email;

// Covers email through SendGrid on a whole node: a deployment with a SendGrid API key sends email
// through SendGrid instead of SMTP, FakeSendGrid gets the documented JSON (ids as custom args,
// one-click unsubscribe headers), the notification is SENT with the X-Message-Id recorded; a
// refused key dead-letters as PROVIDER_AUTH_FAILED; the key is in no log line and no API answer;
// without a verification key the event webhook does not exist. Not covered: classification
// details (SendGridEmailSenderTests) and receipts (SendGridReceiptTests).
public sealed class SendGridDeliveryTests
{
    private static async Task<NotiflyNode> StartNodeAsync(FakeSendGrid sendGrid, RecordingLoggerProvider logs, string apiKey)
    {
        var postgres = await PostgresServer.GetAsync();
        return await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("sendgrid"), new Dictionary<string, string?>
        {
            ["Notifly:Channels:Enabled:0"] = "EMAIL",
            ["Notifly:Channels:SendGrid:ApiKey"] = apiKey,
            ["Notifly:Channels:SendGrid:From"] = "no-reply@notifly.example",
            ["Notifly:Channels:SendGrid:FromName"] = "Notifly",
            ["Notifly:Channels:SendGrid:BaseUrl"] = sendGrid.BaseAddress,
        }, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(RecordingLoggerProvider).FullName, null, LogLevel.Debug, null)));
        });
    }

    [Fact]
    public async Task A_node_with_a_sendgrid_key_sends_email_through_sendgrid_and_records_the_message_id()
    {
        await using var sendGrid = await FakeSendGrid.StartAsync();
        var logs = new RecordingLoggerProvider();
        await using var node = await StartNodeAsync(sendGrid, logs, FakeSendGrid.ApiKey);
        node.Services.GetServices<IChannelSender>().Single(s => s.Channel == Channel.Email).Should().BeOfType<SendGridEmailSender>();
        var tenant = await node.CreateTenantAsync();
        var profile = await tenant.Http.PutAsJsonAsync("/api/recipients/u-1", new { email = "ada@example.com" }, Json.Options);
        profile.IsSuccessStatusCode.Should().BeTrue(await profile.Content.ReadAsStringAsync());

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "EMAIL" },
            userId = "u-1",
            subject = "Your order shipped",
            body = "It left the warehouse today.",
            payload = new { order = 42 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        details.Deliveries.Single().Status.Should().Be(DeliveryStatus.Sent);
        var mail = sendGrid.Mails.Single();
        mail.To.Should().Be("ada@example.com");
        mail.CustomArg("notification_id").Should().Be(accepted.RequestId.ToString());
        mail.CustomArg("tenant_id").Should().Be(tenant.Id.ToString());
        mail.Body.GetProperty("subject").GetString().Should().Be("Your order shipped");
        mail.Body.GetProperty("content")[0].GetProperty("value").GetString().Should().Be("It left the warehouse today.");
        mail.Header("List-Unsubscribe-Post").Should().Be("List-Unsubscribe=One-Click");
        mail.Header("List-Unsubscribe").Should().StartWith("<http").And.EndWith(">");
        (await ProviderMessageIdAsync(node, accepted.RequestId)).Should().Be(mail.MessageId);

        // Without a verification key, SendGrid's events cannot be verified: the endpoint is off.
        var body = SendGridEventWebhook.Body(new { @event = "delivered", sg_message_id = mail.MessageId + ".filter0001" });
        using var events = sendGrid.EventWebhook.Signed(body);
        (await node.Client().SendAsync(events)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        logs.Lines.Should().NotContain(line => line.Contains(FakeSendGrid.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_key_dead_letters_the_email_and_is_shown_nowhere()
    {
        const string wrongKey = "SG.revoked_key_id.n0t_the_r1ght_s3cret";
        await using var sendGrid = await FakeSendGrid.StartAsync();
        var logs = new RecordingLoggerProvider();
        await using var node = await StartNodeAsync(sendGrid, logs, wrongKey);
        var tenant = await node.CreateTenantAsync();

        var accepted = await tenant.Http.SendOkAsync(new
        {
            eventType = "order.shipped",
            channels = new[] { "EMAIL" },
            recipient = new { email = "ada@example.com" },
            payload = new { order = 42 },
        });

        var details = await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Failed);
        details.Deliveries.Single().LastErrorCode.Should().Be("PROVIDER_AUTH_FAILED");
        sendGrid.Mails.Should().BeEmpty();
        var answers = new[]
        {
            await (await tenant.Http.GetAsync($"/api/notifications/{accepted.RequestId}")).Content.ReadAsStringAsync(),
            await (await tenant.Http.GetAsync($"/api/notifications/{accepted.RequestId}/events")).Content.ReadAsStringAsync(),
            await (await tenant.Http.GetAsync("/api/admin/dlq")).Content.ReadAsStringAsync(),
        };
        answers[2].Should().Contain("PROVIDER_AUTH_FAILED");
        answers.Should().NotContain(a => a.Contains(wrongKey, StringComparison.Ordinal));
        logs.Lines.Should().NotContain(line => line.Contains(wrongKey, StringComparison.Ordinal));
    }

    private static async Task<string?> ProviderMessageIdAsync(NotiflyNode node, Guid notificationId)
    {
        await using var connection = await node.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand(
            "SELECT provider_message_id FROM notification_logs WHERE notification_id = $1 AND status = 'SENT'", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = notificationId });
        return (string?)await command.ExecuteScalarAsync();
    }
}
