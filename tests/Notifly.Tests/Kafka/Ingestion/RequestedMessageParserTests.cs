// How a notification.requested message becomes a REST-shaped request: seed 002's single
// recipient string read per channel, the tenant taken from the header or the body, and the
// refusals (with REST's error codes) for what cannot be attributed or validated. No broker and
// no database here; KafkaIngestionTests covers the consumer.
using System.Text;
using Confluent.Kafka;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Kafka.Ingestion;

namespace Notifly.Tests.Kafka.Ingestion;

public class RequestedMessageParserTests
{
    private static readonly HashSet<Channel> Enabled = [Channel.Email, Channel.Webhook];
    private static readonly Guid Tenant = Guid.NewGuid();

    private static ParsedRequest Parse(string json, Guid? header = null)
    {
        var headers = header is { } h ? new Headers { { "tenant-id", Encoding.UTF8.GetBytes(h.ToString()) } } : null;
        return RequestedMessageParser.Parse(Encoding.UTF8.GetBytes(json), headers, Enabled, DateTimeOffset.UtcNow);
    }

    [Fact]
    public void Seed_002_message_becomes_an_email_request_keyed_by_notification_id()
    {
        var parsed = Parse($$"""
            {"notificationId":"n-1","organizationId":"{{Tenant}}","eventType":"USER_REGISTERED","channel":"EMAIL",
             "recipient":"user@example.com","payload":{"name":"John"},"createdAt":"2025-01-01T10:00:00Z"}
            """);

        parsed.ErrorCode.Should().BeNull(parsed.ErrorMessage);
        parsed.TenantId.Should().Be(Tenant);
        parsed.Request!.IdempotencyKey.Should().Be("n-1");
        parsed.Request.Channels.Should().Equal(Channel.Email);
        parsed.Request.Recipient.Should().Be(new Recipient(Email: "user@example.com"));
    }

    [Fact]
    public void An_expiry_is_carried_and_validated_as_in_rest()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddHours(1);
        var parsed = Parse($$"""
            {"notificationId":"n-x","organizationId":"{{Tenant}}","eventType":"e","channel":"EMAIL","recipient":"a@b.co",
             "payload":{},"expiresAt":"{{expiresAt:O}}"}
            """);
        parsed.ErrorCode.Should().BeNull(parsed.ErrorMessage);
        parsed.Request!.ExpiresAt.Should().Be(expiresAt);

        var late = Parse($$"""
            {"notificationId":"n-y","organizationId":"{{Tenant}}","eventType":"e","channel":"EMAIL","recipient":"a@b.co",
             "payload":{},"expiresAt":"{{DateTimeOffset.UtcNow.AddHours(-1):O}}"}
            """);
        late.ErrorCode.Should().Be("VALIDATION_FAILED");
        late.ErrorMessage.Should().Contain("expiresAt");
    }

    [Fact]
    public void Recipient_object_and_channels_array_are_read_as_in_rest()
    {
        var parsed = Parse("""
            {"notificationId":"n-2","eventType":"e","channels":["WEBHOOK"],
             "recipient":{"webhookUrl":"https://example.com/hook"},"payload":{},"priority":"high"}
            """, header: Tenant);

        parsed.ErrorCode.Should().BeNull(parsed.ErrorMessage);
        parsed.TenantId.Should().Be(Tenant);
        parsed.Request!.Recipient.WebhookUrl.Should().Be("https://example.com/hook");
        parsed.Request.Priority.Should().Be(Priority.High);
    }

    [Fact]
    public void Header_and_body_naming_different_tenants_is_refused()
    {
        var parsed = Parse($$$"""{"notificationId":"n","organizationId":"{{{Guid.NewGuid()}}}","eventType":"e","channel":"EMAIL","recipient":"a@b.co","payload":{}}""",
            header: Tenant);

        parsed.ErrorCode.Should().Be("VALIDATION_FAILED");
        parsed.ErrorMessage.Should().Contain("different tenants");
    }

    [Fact]
    public void Message_without_tenant_or_notification_id_is_refused()
    {
        Parse("""{"notificationId":"n","eventType":"e","channel":"EMAIL","recipient":"a@b.co","payload":{}}""")
            .ErrorMessage.Should().Contain("no tenant");
        Parse($$$"""{"organizationId":"{{{Tenant}}}","eventType":"e","channel":"EMAIL","recipient":"a@b.co","payload":{}}""")
            .ErrorMessage.Should().Contain("notificationId is required");
    }

    [Fact]
    public void Disabled_channel_is_refused_with_rest_code()
    {
        var parsed = Parse($$$"""{"notificationId":"n","organizationId":"{{{Tenant}}}","eventType":"e","channel":"SMS","recipient":"+15551234567","payload":{}}""");

        parsed.ErrorCode.Should().Be("CHANNEL_DISABLED");
    }

    [Fact]
    public void Template_request_is_valid_and_left_for_the_write_stage_to_render()
    {
        var parsed = Parse("""
            {"notificationId":"n-t","eventType":"e","channel":"EMAIL","recipient":"user@example.com",
             "payload":{"name":"Ada"},"template":"welcome","locale":"fr"}
            """, header: Tenant);

        parsed.ErrorCode.Should().BeNull();
        parsed.Request!.Template!.Name.Should().Be("welcome");
        parsed.Request.Body.Should().BeNull("rendering needs the tenant's templates, read in the write stage");
    }

    [Fact]
    public void Request_naming_only_a_user_id_waits_for_the_profile_instead_of_failing_validation()
    {
        var parsed = Parse("""{"notificationId":"n-u","eventType":"e","userId":"u-1","payload":{}}""", header: Tenant);

        parsed.ErrorCode.Should().BeNull();
        parsed.Request.Should().BeNull();
        parsed.NeedsProfile!.UserId.Should().Be("u-1");
    }

    [Fact]
    public void Request_without_channels_takes_the_fallback_order_from_the_lookup()
    {
        var json = """{"notificationId":"n-f","eventType":"order.shipped","recipient":{"email":"a@b.co","webhookUrl":"https://example.com/hook"},"payload":{}}""";
        var headers = new Headers { { "tenant-id", Encoding.UTF8.GetBytes(Tenant.ToString()) } };

        var parsed = RequestedMessageParser.Parse(Encoding.UTF8.GetBytes(json), headers, Enabled, DateTimeOffset.UtcNow,
            (tenant, eventType) => tenant == Tenant && eventType == "order.shipped" ? [Channel.Webhook, Channel.Email] : null);

        parsed.Request!.Channels.Should().Equal(Channel.Webhook, Channel.Email);
    }
}
