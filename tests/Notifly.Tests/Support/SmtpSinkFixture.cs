namespace Notifly.Tests.Support;

/// <summary>One <see cref="SmtpSink"/> per test class: starting Python costs more than a test.</summary>
public sealed class SmtpSinkFixture : IAsyncLifetime
{
    private SmtpSink? sink;

    public SmtpSink Sink => sink ?? throw new InvalidOperationException("The sink has not started.");

    public async Task InitializeAsync() => sink = await SmtpSink.StartAsync();

    public async Task DisposeAsync()
    {
        if (sink is not null)
        {
            await sink.DisposeAsync();
        }
    }
}
