// The benchmark's percentile arithmetic: nearest rank over exact samples. Pure in-memory; the
// benchmark's measurements themselves are not tested here.
using Notifly.Bench.Measurement;

namespace Notifly.Tests.Bench;

public class LatencySummaryTests
{
    private static long[] Milliseconds(IEnumerable<int> values) => values.Select(v => TimeSpan.FromMilliseconds(v).Ticks).ToArray();

    [Fact]
    public void Percentiles_of_one_to_a_hundred_are_the_nearest_rank()
    {
        var summary = LatencySummary.Of(Milliseconds(Enumerable.Range(1, 100)));

        summary.Count.Should().Be(100);
        summary.P50.Should().Be(50);
        summary.P95.Should().Be(95);
        summary.P99.Should().Be(99);
        summary.P999.Should().Be(100);
        summary.Max.Should().Be(100);
        summary.Mean.Should().Be(50.5);
    }

    [Fact]
    public void Order_of_recording_does_not_matter()
    {
        var ascending = LatencySummary.Of(Milliseconds(Enumerable.Range(1, 1000)));
        var shuffled = LatencySummary.Of(Milliseconds(Enumerable.Range(1, 1000).OrderBy(v => (v * 7919) % 1000)));

        shuffled.Should().Be(ascending);
        ascending.P999.Should().Be(999, "99.9 % of 1000 samples is rank 999 exactly, not 1000 by a rounding error");
    }

    [Fact]
    public void One_slow_request_in_a_hundred_shows_at_p99_but_not_p95()
    {
        var summary = LatencySummary.Of(Milliseconds(Enumerable.Repeat(2, 99).Append(500)));

        summary.P95.Should().Be(2);
        summary.P99.Should().Be(2);
        summary.Max.Should().Be(500);

        var twoSlow = LatencySummary.Of(Milliseconds(Enumerable.Repeat(2, 98).Concat([500, 500])));
        twoSlow.P99.Should().Be(500);
    }

    [Fact]
    public void A_single_sample_is_every_percentile()
    {
        var summary = LatencySummary.Of(Milliseconds([7]));

        new[] { summary.P50, summary.P95, summary.P99, summary.P999, summary.Max, summary.Mean }.Should().AllBeEquivalentTo(7.0);
    }

    [Fact]
    public void No_samples_summarise_to_zero_and_keep_the_dropped_count()
    {
        var summary = LatencySummary.Of([], dropped: 3);

        summary.Count.Should().Be(0);
        summary.P99.Should().Be(0);
        summary.Dropped.Should().Be(3);
    }

    [Fact]
    public void Percentile_rejects_out_of_range_requests()
    {
        var act = () => LatencySummary.Percentile([1, 2, 3], 100.5);

        act.Should().Throw<ArgumentOutOfRangeException>();
        LatencySummary.Percentile([1, 2, 3], 0).Should().Be(1);
    }
}
