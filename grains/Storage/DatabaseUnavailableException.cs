namespace Notifly.Grains.Storage;

/// <summary>
/// PostgreSQL could not do a grain's turn: unreachable, restarting, out of disk space (any error
/// Npgsql calls transient). Npgsql's own exceptions have no Orleans codec, so an api node would
/// get a serialization failure and answer 500; a silo's call filter turns them into this one,
/// which the api node answers 503 (<see cref="SqlState"/> 53100: out of disk space).
/// </summary>
[GenerateSerializer]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException()
    {
    }

    public DatabaseUnavailableException(string? sqlState, string message)
        : base(message) => SqlState = sqlState;

    /// <summary>PostgreSQL's SQLSTATE, when the server answered.</summary>
    [Id(0)]
    public string? SqlState { get; init; }
}
