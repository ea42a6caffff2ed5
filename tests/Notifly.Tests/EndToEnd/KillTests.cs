// "A 202 means durable": a real Notifly process (the built binary, not in-process) is killed
// with SIGKILL in the middle of a stream of requests; every request it answered 202 must be in
// the database afterwards. Requests cut off without an answer may or may not be stored — the
// client retries those with their idempotency key.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Tenants;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class KillTests
{
    [Fact]
    public async Task Every_request_answered_202_survives_kill_9_of_the_process()
    {
        var postgres = await PostgresServer.GetAsync();
        var connectionString = await postgres.CreateDatabaseAsync("kill");
        // The killed process is an api node; this one is the silo it is a client of, and survives.
        await using var silo = await NotiflyNode.StartAsync(connectionString, role: Silo.Hosting.NotiflyRole.Worker);
        var slug = $"kill-{Guid.NewGuid():N}";
        var key = (await silo.Services.GetRequiredService<TenantService>().CreateAsync(slug, slug, CancellationToken.None)).AdminKey;

        var port = FreeTcpPort.Pick();
        var environment = silo.GatewayEnvironment();
        environment["ConnectionStrings__Notifly"] = connectionString;
        environment["Notifly__Role"] = "Api";
        using var process = NotiflyProcess.Start(port, environment);
        var accepted = new ConcurrentBag<Guid>();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new("Bearer", key.Secret);
            await NotiflyProcess.WaitReadyAsync(port, TimeSpan.FromSeconds(30));

            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var response = await http.SendAsync(Calls.Webhook("http://127.0.0.1:9/"));
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            accepted.Add((await response.ReadAsync<NotificationAccepted>()).RequestId);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return; // the process is gone
                    }
                }
            })).ToArray();

            await Eventually.MatchAsync(() => Task.FromResult(accepted.Count), n => n >= 300, TimeSpan.FromSeconds(30), "load to flow");
            process.Kill(entireProcessTree: true); // SIGKILL: no shutdown hooks, no draining
            await process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(senders);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        using var client = silo.Client(key.Secret);
        var stored = (await client.ListAllIdsAsync()).ToHashSet();

        accepted.Should().NotBeEmpty();
        accepted.Where(id => !stored.Contains(id)).Should().BeEmpty("every 202 was committed before it was sent");
    }
}
