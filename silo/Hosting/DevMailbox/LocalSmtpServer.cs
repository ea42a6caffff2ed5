using System.Net;
using Microsoft.Extensions.Logging;
using SmtpServer;
using SmtpServer.Net;
// Not the DI container of the same name: SmtpServer resolves its hooks from this one.
using SmtpServices = SmtpServer.ComponentModel.ServiceProvider;

namespace Notifly.Silo.Hosting.DevMailbox;

/// <summary>
/// Single-node mode's mail server when no SMTP host is configured: a real SMTP listener (the
/// SmtpServer package) on a free loopback port that accepts every message into an <see cref="Inbox"/>.
/// The email channel talks to it exactly as to a relay, so a send that works here exercised the same
/// code as one that goes out.
/// </summary>
public sealed partial class LocalSmtpServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stop;
    private readonly Task _running;

    private LocalSmtpServer(Inbox inbox, int port, CancellationTokenSource stop, Task running)
    {
        Inbox = inbox;
        Port = port;
        _stop = stop;
        _running = running;
    }

    public Inbox Inbox { get; }

    /// <summary>The port on 127.0.0.1, picked by the system: nothing else can hold it between choosing and binding.</summary>
    public int Port { get; }

    public string Host => IPAddress.Loopback.ToString();

    /// <summary>Listening when this returns. Synchronous so that it can run while the host's configuration is being built.</summary>
    public static LocalSmtpServer Start(DevMailboxOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var inbox = new Inbox(options, time ?? TimeProvider.System);

        var listeners = new EndpointListenerFactory();
        var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        listeners.EndpointStarted += (_, e) => bound.TrySetResult(((IPEndPoint)e.LocalEndPoint).Port);
        var services = new SmtpServices();
        services.Add(listeners);
        services.Add(new InboxMessageStore(inbox, logger));

        var server = new SmtpServer.SmtpServer(
            new SmtpServerOptionsBuilder()
                .ServerName("notifly-dev-mailbox")
                .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, 0)))
                .MaxMessageSize(options.MaxMessageBytes, MaxMessageSizeHandling.Strict)
                .Build(),
            services);
        server.SessionFaulted += (_, e) => LogSessionFaulted(logger, e.Exception);

        var stop = new CancellationTokenSource();
        var running = server.StartAsync(stop.Token);
        // The listener binds inside StartAsync; a failure to bind ends `running` instead.
        var first = Task.WaitAny([bound.Task, running], StartTimeout);
        if (first != 0)
        {
            using (stop)
            {
                stop.Cancel();
                if (running.IsFaulted)
                {
                    running.GetAwaiter().GetResult(); // throws why it could not listen
                }
            }

            throw new InvalidOperationException($"The local SMTP listener did not start within {StartTimeout.TotalSeconds:0} s.");
        }

        var port = bound.Task.Result;
        LogListening(logger, port, options.Capacity);
        return new LocalSmtpServer(inbox, port, stop, running);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopping is what we asked for.
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Mailbox: no SMTP host configured, so email goes to a local SMTP listener on 127.0.0.1:{Port} that keeps the newest {Capacity} messages in memory")]
    private static partial void LogListening(ILogger logger, int port, int capacity);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mailbox: an SMTP session failed")]
    private static partial void LogSessionFaulted(ILogger logger, Exception exception);
}
