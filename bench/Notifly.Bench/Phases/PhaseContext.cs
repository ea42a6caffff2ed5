using Npgsql;
using Notifly.Bench.Hosting;
using Notifly.Bench.Kafka;
using Notifly.Bench.Load;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Phases;

/// <summary>What every phase needs: the host under test, the CPU probe and the run's settings.</summary>
public sealed class PhaseContext(BenchHost host, LoadClient client, CpuProbe probe, BenchOptions options, string runId) : IDisposable
{
    /// <summary>Requests in the Kafka backlog: about the measured duration's worth at 30,000/s.</summary>
    public const int KafkaMessagesPerSecondOfDuration = 30_000;

    private KafkaBacklog? _kafka;

    public BenchHost Host { get; } = host;

    public LoadClient Client { get; } = client;

    public CpuProbe Probe { get; } = probe;

    public BenchOptions Options { get; } = options;

    public string RunId { get; } = runId;

    public TimeSpan Warmup => TimeSpan.FromSeconds(Options.WarmupSeconds);

    public TimeSpan Duration => TimeSpan.FromSeconds(Options.DurationSeconds);

    /// <summary>
    /// A checkpoint before each phase, so that one phase's dirty pages are not written (and the WAL's
    /// full-page images not paid for) in the next one's window.
    /// </summary>
    /// <summary>The Kafka phases' shared backlog, produced (unmeasured) the first time a phase asks.</summary>
    public async Task<KafkaBacklog> KafkaBacklogAsync(CancellationToken cancellationToken)
    {
        if (_kafka is null)
        {
            var tenant = await Host.CreateTenantAsync("kafka", cancellationToken);
            var count = KafkaMessagesPerSecondOfDuration * Options.DurationSeconds;
            Console.WriteLine($"    producing a backlog of {count:N0} requests to an in-process mock Kafka cluster…");
            _kafka = await Task.Run(() => KafkaBacklog.Create(tenant, Host.WebhookUrl, RunId, count), cancellationToken);
        }

        return _kafka;
    }

    /// <summary>
    /// Before a phase that starts a worker: the earlier phases' notifications were written by an
    /// API-only node and never meant to be delivered, and the worker would spend the phase trying
    /// (and failing). Their reminders go, so only this phase's work is due.
    /// </summary>
    public async Task ForgetUndeliveredWorkAsync(CancellationToken cancellationToken)
    {
        await using (var command = Host.DataSource.CreateCommand("DELETE FROM reminders"))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // The mass delete is the benchmark's, not the product's: clear its dead rows now rather
        // than let the first minute of the phase pay for them in every claim (docs/0010).
        await using var vacuum = Host.DataSource.CreateCommand("VACUUM reminders");
        await vacuum.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => _kafka?.Dispose();

    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await Host.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CHECKPOINT", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
