using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Notifly.Grains.Metrics;

/// <summary>
/// The period <c>GET /api/admin/metrics?window=</c> covers: up to two days (<c>1h</c>–<c>48h</c>, <c>1d</c>, <c>2d</c>) in hourly buckets,
/// <c>3d</c>–<c>90d</c> in daily (UTC) ones. The last bucket is the one in progress, so
/// <c>24h</c> is the current hour and the 23 before it.
/// </summary>
public sealed record MetricsWindow(string Name, TimeSpan BucketSize, int Buckets)
{
    public const string Default = "24h";
    public const string Help = "window must be hours (1h–48h) or days (1d–90d), e.g. 24h or 7d.";

    public static bool TryParse(string? text, [NotNullWhen(true)] out MetricsWindow? window)
    {
        window = null;
        text = string.IsNullOrEmpty(text) ? Default : text.Trim().ToLowerInvariant();
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var span = text[^1] switch
        {
            'h' when amount is >= 1 and <= 48 => TimeSpan.FromHours(amount),
            'd' when amount is >= 1 and <= 90 => TimeSpan.FromDays(amount),
            _ => TimeSpan.Zero,
        };
        if (span == TimeSpan.Zero)
        {
            return false;
        }

        var bucket = span <= TimeSpan.FromHours(48) ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        window = new MetricsWindow(text, bucket, (int)(span / bucket));
        return true;
    }

    /// <summary>Where the first bucket starts when it is <paramref name="now"/>: buckets are aligned to the Unix epoch, as the rollups' hours are.</summary>
    public DateTimeOffset FirstBucketStart(DateTimeOffset now)
    {
        var current = new DateTimeOffset(now.UtcTicks - (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % BucketSize.Ticks, TimeSpan.Zero);
        return current - (BucketSize * (Buckets - 1));
    }
}
