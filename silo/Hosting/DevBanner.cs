using Notifly.Grains.Kafka;
using Notifly.Silo.Hosting.DevMailbox;

namespace Notifly.Silo.Hosting;

/// <summary>What single-node mode prints once it is up: where everything is, and README's example ready to paste.</summary>
internal static class DevBanner
{
    private const string Rule = "──────────────────────────────────────────────────────────────────────";

    /// <param name="email">Where email goes, as a phrase: "captured by a local mailbox (…)", "to SMTP host:port".</param>
    public static string Running(
        string url, Guid tenantId, string apiKey, string connectionString, DevDataDirectory data, string email, bool hasMailbox,
        string? orleansDashboardPath, string? operatorToken = null)
    {
        var operatorLine = operatorToken is null
            ? ""
            : $"{Environment.NewLine} Operator token: {operatorToken}   (tenants: ./notifly tenants list | create --name … --slug …)";
        var dashboardLine = orleansDashboardPath is null ? "" : $"{Environment.NewLine} Orleans Dashboard: {url}{orleansDashboardPath}   (from this machine only)";
        var dataLine = data.FallbackReason is null
            ? $"   data in {data.Path}"
            : $"   data in {data.Path}{Environment.NewLine}   (not under NOTIFLY_HOME: {data.FallbackReason})";
        var mailboxLine = hasMailbox ? $"{Environment.NewLine} Mailbox: {url}{DevMailboxApi.Path}   (each message at {DevMailboxApi.Path}/<id>, raw at …/<id>.eml)" : "";
        // The same request as README's "Using it", so the two cannot drift apart in what they show.
        return $$$"""

            {{{Rule}}}
             Notifly is running (single node) on {{{url}}}
             Dashboard: {{{url}}}/   (sign in with the API key below; its Tools show the mailbox and the webhook sink)
             PostgreSQL: {{{connectionString}}}
            {{{dataLine}}}
             Email: {{{email}}}{{{mailboxLine}}}
             Demo tenant {{{tenantId}}}, admin API key: {{{apiKey}}}{{{operatorLine}}}

             Send a notification by webhook (to the built-in sink) and by email:

               curl -s -X POST {{{url}}}/api/notifications \
                 -H 'Authorization: Bearer {{{apiKey}}}' -H 'Content-Type: application/json' \
                 -H 'Idempotency-Key: order-42-paid' \
                 -d '{"eventType":"order.paid","channels":["WEBHOOK","EMAIL"],
                      "recipient":{"webhookUrl":"{{{url}}}/dev/webhook-sink","email":"ada@example.com"},
                      "subject":"Thanks for your order","payload":{"orderId":42}}'

             Then: curl -s {{{url}}}/api/notifications/<requestId> -H 'Authorization: Bearer {{{apiKey}}}'
             API docs: {{{url}}}/docs (OpenAPI: /openapi/v1.json)      Ctrl-C stops Notifly and its PostgreSQL.{{{dashboardLine}}}
            {{{Rule}}}
            """;
    }

    public static string Kafka(string url, Guid tenantId, string bootstrap, KafkaTopics topics) => $$$"""
         Kafka (embedded, in memory, NOT durable): {{{bootstrap}}}
         Publish a request from another shell (apt install kcat):

           echo '{"notificationId":"demo-1","organizationId":"{{{tenantId}}}","eventType":"user.signup","channel":"WEBHOOK","recipient":"{{{url}}}/dev/webhook-sink","payload":{"name":"Ada"}}' \
             | kcat -b {{{bootstrap}}} -t {{{topics.Requested}}} -k {{{tenantId}}} -P

         Watch status events:   kcat -b {{{bootstrap}}} -t {{{topics.Status}}} -C -f '%k %h\n%s\n\n'
         Refused requests:      kcat -b {{{bootstrap}}} -t {{{topics.RequestedDeadLetter}}} -C -f '%h\n%s\n\n'
        {{{Rule}}}
        """;
}
