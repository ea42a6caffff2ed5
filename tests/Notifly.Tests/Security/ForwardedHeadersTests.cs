// Behind a reverse proxy (the Kubernetes Ingress), the client's address is in X-Forwarded-For.
// With ASP.NET Core's FORWARDEDHEADERS_ENABLED (ASPNETCORE_FORWARDEDHEADERS_ENABLED=true, as the
// api Deployment sets it), the audit log and the login throttle see the client, not the proxy;
// without it, a forged header changes nothing.
using System.Net.Http.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Queries;
using Notifly.Tests.Support;

namespace Notifly.Tests.Security;

public class ForwardedHeadersTests
{
    [Theory]
    [InlineData(true, "203.0.113.7")]
    [InlineData(false, "127.0.0.1")]
    public async Task The_audit_log_names_the_address_the_proxy_reports_only_when_told_to_trust_it(bool enabled, string expected)
    {
        var postgres = await PostgresServer.GetAsync();
        await using var node = await NotiflyNode.StartAsync(await postgres.CreateDatabaseAsync("forwarded"),
            new Dictionary<string, string?> { ["FORWARDEDHEADERS_ENABLED"] = enabled ? "true" : "false" });
        var tenant = await node.CreateTenantAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/api-keys")
        {
            Content = JsonContent.Create(new { name = "backend", role = "SERVICE" }),
        };
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        (await tenant.Http.SendAsync(request)).EnsureSuccessStatusCode();

        var log = await (await tenant.Http.GetAsync("/api/admin/audit-logs")).ReadAsync<Page<AuditLogEntry>>();
        log.Items.First(e => e.Action == "api_key.created").IpAddress.Should().Be(expected, "the newest key is the one this request made");
    }
}
