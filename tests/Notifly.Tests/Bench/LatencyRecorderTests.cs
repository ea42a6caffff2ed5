// The benchmark's latency recorder: preallocated, thread-safe, and honest about overflow.
// Pure in-memory; timing sources are not involved.
using Notifly.Bench.Measurement;

namespace Notifly.Tests.Bench;

public class LatencyRecorderTests
{
    [Fact]
    public async Task Keeps_every_sample_recorded_from_many_threads_at_once()
    {
        var recorder = new LatencyRecorder(capacity: 80_000);
        using var start = new Barrier(8);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 1; i <= 10_000; i++)
            {
                recorder.Record(TimeSpan.FromMilliseconds(i));
            }
        })));

        var summary = recorder.Summarize();
        summary.Count.Should().Be(80_000);
        summary.Dropped.Should().Be(0);
        summary.P50.Should().Be(5_000);
        summary.Max.Should().Be(10_000);
    }

    [Fact]
    public void Counts_samples_past_its_capacity_as_dropped()
    {
        var recorder = new LatencyRecorder(capacity: 3);

        foreach (var ms in new[] { 1, 2, 3, 4, 5 })
        {
            recorder.Record(TimeSpan.FromMilliseconds(ms));
        }

        recorder.Count.Should().Be(3);
        recorder.Dropped.Should().Be(2);
        var summary = recorder.Summarize();
        summary.Max.Should().Be(3, "the first samples are kept");
        summary.Dropped.Should().Be(2);
    }

    [Fact]
    public void Keeps_sub_millisecond_precision()
    {
        var recorder = new LatencyRecorder(capacity: 2);
        recorder.Record(TimeSpan.FromMicroseconds(250));
        recorder.Record(TimeSpan.FromMicroseconds(750));

        var summary = recorder.Summarize();
        summary.P50.Should().Be(0.25);
        summary.Mean.Should().Be(0.5);
    }
}
