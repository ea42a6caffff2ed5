using Microsoft.AspNetCore.Builder;

namespace Notifly.Bench.Hosting;

/// <summary>An extra Notifly node started by a phase; disposing stops it gracefully first.</summary>
public sealed class BenchNode(WebApplication app, TimeSpan stopTimeout) : IAsyncDisposable
{
    public IServiceProvider Services => app.Services;

    public string BaseAddress => app.Urls.First().TrimEnd('/');

    public async ValueTask DisposeAsync()
    {
        using (var stopping = new CancellationTokenSource(stopTimeout))
        {
            await app.StopAsync(stopping.Token);
        }

        await app.DisposeAsync();
    }
}
