using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Notifly.Silo.Hosting.DevMailbox;

namespace Notifly.Tests.Support;

/// <summary>
/// Single-node mode's local mailbox on its own: the real SMTP listener on a free loopback port and
/// the <c>/dev/mailbox</c> routes on Kestrel, wired as DevMode wires them, without the rest of a node.
/// </summary>
public sealed class DevMailboxHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DevMailboxHost(LocalSmtpServer smtp, WebApplication app)
    {
        Smtp = smtp;
        _app = app;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public LocalSmtpServer Smtp { get; }

    public HttpClient Http { get; }

    public static async Task<DevMailboxHost> StartAsync(DevMailboxOptions? options = null)
    {
        var smtp = LocalSmtpServer.Start(options ?? new DevMailboxOptions(), NullLogger.Instance);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders(); // the test reads the mailbox, not its request log
        builder.Services.AddSingleton(smtp.Inbox);
        var app = builder.Build();
        app.MapDevMailboxApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await smtp.DisposeAsync();
            throw;
        }

        return new DevMailboxHost(smtp, app);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
