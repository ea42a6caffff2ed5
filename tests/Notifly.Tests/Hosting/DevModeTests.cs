// Single-node mode as ./run.sh starts it: the built binary's `dev` command with a fresh
// NOTIFLY_HOME (private PostgreSQL, embedded Kafka, local mailbox, demo tenant), driven only
// through what it prints and serves. README's "Using it" example must end SENT with its email in
// /dev/mailbox. This is the suite's one test that starts a whole single-node Notifly (initdb
// included): keep it the only one. Not covered: ./run.sh's package installs, and the data
// directory fallback for root (DevDataDirectoryTests).
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Silo.Hosting;
using Notifly.Silo.Hosting.DevMailbox;
using Notifly.Tests.Dashboard;
using Notifly.Tests.Support;

namespace Notifly.Tests.Hosting;

public class DevModeTests
{
    [Fact]
    public async Task Readme_example_reaches_SENT_with_its_email_in_the_dev_mailbox()
    {
        await using var dev = await DevModeProcess.StartAsync(deadline: TimeSpan.FromMinutes(3));
        using var http = dev.Client();

        // README's request, word for word but for the address of this node.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/notifications")
        {
            Content = new StringContent(
                $$$"""
                {"eventType":"order.paid","channels":["WEBHOOK","EMAIL"],
                 "recipient":{"webhookUrl":"{{{dev.BaseAddress}}}/dev/webhook-sink","email":"ada@example.com"},
                 "subject":"Thanks for your order","payload":{"orderId":42}}
                """,
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "order-42-paid");
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, body);
        var requestId = JsonDocument.Parse(body).RootElement.GetProperty("requestId").GetGuid();

        try
        {
            var sent = await http.WaitForStatusAsync(requestId, NotificationStatus.Sent, TimeSpan.FromSeconds(60));
            sent.Deliveries.Should().HaveCount(2).And.OnlyContain(d => d.Status == DeliveryStatus.Sent);

            var mail = await Eventually.MatchAsync(
                () => http.GetFromJsonAsync<List<MailSummary>>("/dev/mailbox"),
                list => list is { Count: > 0 },
                TimeSpan.FromSeconds(10),
                "the email to reach the dev mailbox");
            mail.Should().ContainSingle().Which.Should().Match<MailSummary>(m =>
                m.Subject == "Thanks for your order" && m.To.SequenceEqual(new[] { "ada@example.com" }) && m.Preview.Contains("42"));

            // The webhook went to the built-in sink, which keeps it for GET /dev/webhook-sink and the dashboard.
            var calls = await Eventually.MatchAsync(
                () => http.GetFromJsonAsync<List<SinkCall>>("/dev/webhook-sink"), list => list is { Count: > 0 }, TimeSpan.FromSeconds(10),
                "the webhook to reach the sink");
            calls.Should().ContainSingle().Which.Body.Should().Contain(requestId.ToString());
            (await http.GetFromJsonAsync<JsonElement>("/api/dashboard")).GetProperty("devTools").GetBoolean().Should().BeTrue();

            // ...and the dashboard shows both, in chromium.
            var (exitCode, output) = await DashboardBrowserTests.RunAsync(new Dictionary<string, string>
            {
                ["NOTIFLY_URL"] = dev.BaseAddress,
                ["NOTIFLY_API_KEY"] = dev.ApiKey,
                ["NOTIFLY_REQUEST_ID"] = requestId.ToString(),
            }, "dev-tools.mjs");
            exitCode.Should().Be(0, output);
            output.Should().Contain("ok: no console errors");

            // Single-node mode turns the Orleans Dashboard on and says where it is.
            dev.Output.Should().Contain($"Orleans Dashboard: {dev.BaseAddress}/orleans");
            (await http.GetAsync("/orleans")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
        catch (Exception e) when (e is TimeoutException or Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}{Environment.NewLine}--- notifly dev printed ---{Environment.NewLine}{dev.Output}", e);
        }
    }
}
