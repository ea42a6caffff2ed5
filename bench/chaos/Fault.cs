namespace Notifly.Chaos;

/// <summary>One fault of the schedule and what was seen of it while it ran (run clock).</summary>
public sealed class Fault(string kind, TimeSpan due)
{
    public string Kind { get; } = kind;

    public TimeSpan Due { get; } = due;

    public TimeSpan Start { get; set; }

    /// <summary>When the fault was over: the kill itself, PostgreSQL answering again, the broker or provider back.</summary>
    public TimeSpan End { get; set; }

    public string Detail { get; set; } = "";

    /// <summary>For a silo kill: the most attempts the dead silo was seen holding after its death.</summary>
    public long CutOff { get; set; }

    /// <summary>For a silo kill that cut attempts off: how long after it the survivors had taken every one over.</summary>
    public TimeSpan? TakenOver { get; set; }

    public string? Error { get; set; }
}
