namespace Notifly.Bench.Load;

public enum LoadMode
{
    /// <summary>Each connection sends its next request when the previous one is answered: finds the maximum.</summary>
    Closed,

    /// <summary>Requests start on a fixed schedule whatever the answers: measures latency at a given rate.</summary>
    Open,
}
