using Npgsql;
using Notifly.Bench.Hosting;
using Notifly.Bench.Load;
using Notifly.Bench.Measurement;

namespace Notifly.Bench.Phases;

/// <summary>What every phase needs: the host under test, the CPU probe and the run's settings.</summary>
public sealed class PhaseContext(BenchHost host, LoadClient client, CpuProbe probe, BenchOptions options, string runId)
{
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
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await Host.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CHECKPOINT", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
