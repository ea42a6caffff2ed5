// PostgreSQL going away and coming back: requests meanwhile get 503 with Retry-After and a
// problem detail (nothing half-stored), readiness reports it, and the node recovers by itself
// once the database is back, with everything accepted before the outage still there. Through an
// api node too: the silo's grain meets the failure and the api node still answers 503.
// Uses its own durable PostgreSQL so stopping it does not disturb other tests.
using System.Net;
using Notifly.Silo.Hosting;
using Notifly.Tests.Support;

namespace Notifly.Tests.EndToEnd;

public class DatabaseOutageTests
{
    [Fact]
    public async Task Answers_503_while_postgres_is_down_and_recovers_without_manual_steps()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-outage-{Guid.NewGuid():N}");
        var options = new PrivatePostgresOptions { DataDirectory = directory, KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
        try
        {
            await using var node = await NotiflyNode.StartAsync(postgres.ConnectionString);
            var tenant = await node.CreateTenantAsync();
            var before = await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));

            await postgres.StopAsync();

            var refused = await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: "during-outage"));
            refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            refused.Headers.RetryAfter.Should().NotBeNull();
            (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("SERVICE_UNAVAILABLE");
            using (var probe = node.Client())
            {
                (await probe.GetAsync("/health/ready")).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            }

            options.Port = postgres.Port;
            postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);

            var after = await Eventually.MatchAsync(
                () => tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: "during-outage")),
                r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(20), "intake to recover");
            after.Headers.Contains("Idempotent-Replayed").Should().BeFalse("the refused request stored nothing");
            (await tenant.Http.GetNotificationAsync(before.RequestId)).Notification.Id.Should().Be(before.RequestId);
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// A node started while PostgreSQL is down (both restarting after a power cut, or a failover)
    /// waits for it instead of failing its start, and serves once it is up.
    /// </summary>
    [Fact]
    public async Task A_node_started_while_postgres_is_down_waits_for_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-outage-{Guid.NewGuid():N}");
        var options = new PrivatePostgresOptions { DataDirectory = directory, KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
        try
        {
            var connectionString = postgres.ConnectionString;
            options.Port = postgres.Port;
            await postgres.StopAsync();
            var comesBack = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(3));
                return await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
            });

            await using var node = await NotiflyNode.StartAsync(connectionString);
            postgres = await comesBack;
            var tenant = await node.CreateTenantAsync();
            await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/"));
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The same outage seen through an api node: the silo's grain meets PostgreSQL's failure, and
    /// the api node still answers 503, not a 500 for an exception Orleans could not carry across.
    /// </summary>
    [Fact]
    public async Task An_api_node_answers_503_while_its_silos_cannot_reach_postgres()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"notifly-outage-{Guid.NewGuid():N}");
        var options = new PrivatePostgresOptions { DataDirectory = directory, KeepData = true };
        var postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
        try
        {
            await using var silo = await NotiflyNode.StartAsync(postgres.ConnectionString, role: NotiflyRole.Worker);
            await using var api = await NotiflyNode.StartAsync(postgres.ConnectionString, silo.GatewaySettings(), NotiflyRole.Api);
            var tenant = await api.CreateTenantAsync();
            await tenant.Http.SendOkAsync(Calls.Webhook("http://127.0.0.1:9/")); // the key is known to the api node now

            await postgres.StopAsync();

            for (var i = 0; i < 3; i++)
            {
                using var refused = await tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: $"during-outage-{i}"));
                refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await refused.Content.ReadAsStringAsync());
                refused.Headers.RetryAfter.Should().NotBeNull();
                (await refused.ProblemAsync()).GetProperty("code").GetString().Should().Be("SERVICE_UNAVAILABLE");
            }

            options.Port = postgres.Port;
            postgres = await PrivatePostgres.StartAsync(options, null, CancellationToken.None);
            await Eventually.MatchAsync(
                () => tenant.Http.SendAsync(Calls.Webhook("http://127.0.0.1:9/", idempotencyKey: "during-outage-0")),
                r => r.StatusCode == HttpStatusCode.Accepted, TimeSpan.FromSeconds(20), "intake through the api node to recover");
        }
        finally
        {
            await postgres.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
