using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Intake;

/// <summary>Group commit settings (<c>Notifly:Intake</c>).</summary>
public sealed class IntakeOptions
{
    /// <summary>Most requests in one transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// Transactions in flight at once. While one commits, the next batch accumulates, so the
    /// batch size follows the load by itself and no request waits on a timer. More writers
    /// mean smaller batches: on the benchmark machine one writer gave ~14–15k accepted/s,
    /// three ~10.5k (BENCHMARKS.md). Raise it where commits are slow (network-attached disks).
    /// </summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 1;

    /// <summary>Requests waiting for a writer before submitters are made to wait.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 20_000;
}
