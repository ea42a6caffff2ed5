namespace Notifly.Bench.Load;

/// <summary>One run asked of the load generator child; travels to it as a JSON line.</summary>
public sealed record LoadSpec(
    LoadMode Mode,
    string Url,
    string? ApiKey,
    string? WebhookUrl,
    int Connections,
    int Rate,
    int WarmupSeconds,
    int DurationSeconds,
    string RunId)
{
    /// <summary>Bounds an open-loop run's schedule (and its array of in-flight tasks).</summary>
    public const long MaxScheduled = 2_000_000;

    /// <summary>With a webhook URL the requests are notifications (POST); without, a bare GET.</summary>
    public bool SendsNotifications => WebhookUrl is not null;

    /// <summary>Load targets loopback only, and every run is bounded.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || !System.Net.IPAddress.TryParse(uri.Host, out var address)
            || !System.Net.IPAddress.IsLoopback(address))
        {
            throw new UsageException($"the load generator's URL must be a loopback address such as http://127.0.0.1:5000/, not '{Url}'");
        }

        if (Connections is < 1 or > 4096 || Rate is < 1 or > 1_000_000 || WarmupSeconds is < 0 or > 60 || DurationSeconds is < 1 or > 600)
        {
            throw new UsageException($"out of range: {this}");
        }

        if (Mode == LoadMode.Open && (long)Rate * (WarmupSeconds + DurationSeconds) > MaxScheduled)
        {
            throw new UsageException($"rate × (warm-up + duration) must not exceed {MaxScheduled:N0} requests");
        }
    }
}
