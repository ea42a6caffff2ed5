// The dashboard in a real browser: Debian's chromium driven by playwright-core
// (dashboard/tests/browser.mjs) against a real node with real traffic. Sign-in with a password,
// an API key and the operator token; the overview's figures and system panel; a notification
// reaching SENT on the live list, its timeline; dead letters retried from their page and from the
// notification's own; a template previewed as typed, saved and activated; keys created (shown
// once) and revoked; settings with the backoff chart; a provider, a status webhook endpoint
// (ping, redeliver, rotate), a recipient's opt-outs; a user invited through their link and
// changed; the audit log; an operator's tenant suspended and resumed; a VIEWER's pages without
// write actions; the session across a reload without a token any script could read; the keyboard
// path and a phone's menu; no console errors; and axe-core on each page. The single-node tools
// (mailbox, webhook sink) are walked by DevModeTests through dashboard/tests/dev-tools.mjs.
using System.Diagnostics;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Tests.Support;
using Notifly.Tests.Users;

namespace Notifly.Tests.Dashboard;

public class DashboardBrowserTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Signs_in_follows_a_notification_live_retries_a_dead_letter_and_signs_out_in_chromium()
    {
        var (tenant, slug) = await UserSessions.CreateTenantAsync(fixture.Node);
        var user = await UserSessions.SignUpAsync(fixture.Node, tenant.Http, slug, "ADMIN");
        var viewer = await UserSessions.SignUpAsync(fixture.Node, tenant.Http, slug, "VIEWER");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var failOnce = await WebhookReceiver.StartAsync();
        failOnce.Enqueue(new ScriptedResponse(404));
        await using var failOnceAgain = await WebhookReceiver.StartAsync();
        failOnceAgain.Enqueue(new ScriptedResponse(404));
        for (var i = 0; i < 3; i++)
        {
            var accepted = await tenant.Http.SendOkAsync(Calls.Webhook(receiver.Url));
            await tenant.Http.WaitForStatusAsync(accepted.RequestId, NotificationStatus.Sent);
        }

        var (exitCode, output) = await RunAsync(new Dictionary<string, string>
        {
            ["NOTIFLY_URL"] = fixture.Node.BaseAddress.TrimEnd('/'),
            ["NOTIFLY_TENANT"] = slug,
            ["NOTIFLY_EMAIL"] = user.Email,
            ["NOTIFLY_PASSWORD"] = user.Password,
            ["NOTIFLY_API_KEY"] = tenant.AdminKey,
            ["NOTIFLY_EXPECT_TOTAL"] = "3",
            ["NOTIFLY_WEBHOOK_OK"] = receiver.Url,
            ["NOTIFLY_WEBHOOK_FAIL_ONCE"] = failOnce.Url,
            ["NOTIFLY_WEBHOOK_FAIL_ONCE_AGAIN"] = failOnceAgain.Url,
            ["NOTIFLY_VIEWER_EMAIL"] = viewer.Email,
            ["NOTIFLY_OPERATOR_TOKEN"] = NotiflyNode.OperatorToken,
        });
        exitCode.Should().Be(0, output);
        output.Should().Contain("ok: no console errors");
    }

    /// <summary>Runs a browser script of dashboard/tests with node; answers its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, string script = "browser.mjs")
    {
        var dashboard = Path.Combine(Repository.Root, "dashboard");
        var start = new ProcessStartInfo("node", [$"tests/{script}"])
        {
            WorkingDirectory = dashboard,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the browser script ran over 3 minutes:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
