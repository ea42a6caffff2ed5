// The dashboard's latency histogram: its buckets are the ones migration 0022's
// notifly_latency_bucket assigns in PostgreSQL, and a quantile read from it lies within a bucket
// (9 %) of the exact one.
using Notifly.Grains.Metrics;
using Notifly.Tests.Support;
using Npgsql;

namespace Notifly.Tests.Metrics;

public class LatencyHistogramTests
{
    [Fact]
    public async Task Reads_quantiles_within_a_bucket_of_the_exact_ones_using_postgres_buckets()
    {
        var random = new Random(12);
        var latencies = Enumerable.Range(0, 5000).Select(_ => (long)Math.Exp(random.NextDouble() * 10)).Append(0).Append(59_999).ToArray();
        var histogram = new LatencyHistogram();
        foreach (var group in (await BucketsAsync(latencies)).Zip(latencies).GroupBy(p => p.First, p => p.Second))
        {
            histogram.Add(group.Key, group.Count(), group.Sum());
        }

        histogram.Count.Should().Be(latencies.Length);
        histogram.AverageMs.Should().BeApproximately(latencies.Average(), 0.05);
        var sorted = latencies.Order().ToArray();
        foreach (var q in new[] { 0.01, 0.5, 0.9, 0.95, 0.99, 1.0 })
        {
            var exact = sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
            var read = histogram.QuantileMs(q)!.Value;
            ((read + 1) / (exact + 1)).Should().BeInRange(1 / 1.0906, 1.0906, $"q {q}: exact {exact}, read {read}");
        }
    }

    [Fact]
    public void Ignores_attempts_without_latency_and_adds_histograms_up()
    {
        var empty = new LatencyHistogram();
        empty.Add(-1, 10, 0);
        empty.Count.Should().Be(0);
        empty.AverageMs.Should().BeNull();
        empty.QuantileMs(0.95).Should().BeNull();

        var a = new LatencyHistogram();
        a.Add(40, 3, 90);
        var b = new LatencyHistogram();
        b.Add(40, 1, 30);
        b.Add(80, 1, 1000);
        a.Add(b);
        a.Count.Should().Be(5);
        a.AverageMs.Should().Be(224);
        a.QuantileMs(1.0).Should().BeInRange(LatencyHistogram.LowerBoundMs(80), LatencyHistogram.LowerBoundMs(81) + 0.05, "rounded to 0.1 ms");
        a.QuantileMs(0.5).Should().BeInRange(LatencyHistogram.LowerBoundMs(40), LatencyHistogram.LowerBoundMs(41) + 0.05);
    }

    private static async Task<int[]> BucketsAsync(long[] latencies)
    {
        var postgres = await PostgresServer.GetAsync();
        await using var dataSource = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync("histogram"));
        await using var command = dataSource.CreateCommand("SELECT notifly_latency_bucket(l) FROM unnest($1::bigint[]) WITH ORDINALITY AS u(l, n) ORDER BY n");
        command.Parameters.Add(new NpgsqlParameter { Value = latencies });
        var buckets = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            buckets.Add(reader.GetInt16(0));
        }

        return [.. buckets];
    }
}
