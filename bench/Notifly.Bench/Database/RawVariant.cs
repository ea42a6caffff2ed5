namespace Notifly.Bench.Database;

/// <summary>
/// What-if versions of intake's statement for the PostgreSQL phases (<c>--raw-sql</c>): each
/// removes one cost, to measure what a change to intake would buy before anyone makes it; or, for
/// <see cref="Keyed"/> and <see cref="Kafka"/>, adds what a Kafka request writes on top of a REST one.
/// </summary>
public enum RawVariant
{
    /// <summary>IntakeBatch's statement, executed the way IntakeBatch executes it (unprepared).</summary>
    AsIs,

    /// <summary>The same statement, prepared once per connection: no parse and plan per batch.</summary>
    Prepared,

    /// <summary>Without the per-row pg_notify in the final SELECT.</summary>
    NoNotify,

    /// <summary>Without the per-row EXISTS check of the API key and tenant.</summary>
    NoKeyCheck,

    /// <summary>Every row with an idempotency key (a unique-index entry), as every Kafka request has its notificationId.</summary>
    Keyed,

    /// <summary>What a Kafka-ingested row writes: <see cref="Keyed"/>, plus the outbox row of its first status event.</summary>
    Kafka,
}
