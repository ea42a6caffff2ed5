using Notifly.Grains.Metrics;

namespace Notifly.Tests.Metrics;

public class MetricsWindowTests
{
    [Theory]
    [InlineData(null, "24h", 60, 24)]
    [InlineData("1h", "1h", 60, 1)]
    [InlineData("48H", "48h", 60, 48)]
    [InlineData("1d", "1d", 60, 24)]
    [InlineData("7d", "7d", 1440, 7)]
    [InlineData("90d", "90d", 1440, 90)]
    public void Parses_hours_and_days_into_buckets(string? text, string name, int bucketMinutes, int buckets)
    {
        MetricsWindow.TryParse(text, out var window).Should().BeTrue();
        window.Should().Be(new MetricsWindow(name, TimeSpan.FromMinutes(bucketMinutes), buckets));
    }

    [Theory]
    [InlineData("0h")]
    [InlineData("49h")]
    [InlineData("91d")]
    [InlineData("24")]
    [InlineData("+3d")]
    [InlineData("1w")]
    [InlineData("d")]
    public void Refuses_what_it_cannot_chart(string text) => MetricsWindow.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void Ends_with_the_bucket_in_progress()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 42, 7, TimeSpan.FromHours(2));
        MetricsWindow.TryParse("24h", out var day);
        day!.FirstBucketStart(now).Should().Be(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        MetricsWindow.TryParse("7d", out var week);
        week!.FirstBucketStart(now).Should().Be(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    }
}
