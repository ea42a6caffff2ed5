namespace Notifly.Grains.Kafka;

/// <summary>Seed 002's topic names (ARCHITECTURE.md §4), behind the configured prefix.</summary>
public sealed class KafkaTopics(string prefix)
{
    public const string RequestedName = "notification.requested";
    public const string RequestedDeadLetterName = "notification.requested.dlt";
    public const string StatusName = "notification.status";
    public const string SendDeadLetterName = "notification.send.dlt";

    /// <summary>In: notification requests, key = tenant id.</summary>
    public string Requested { get; } = prefix + RequestedName;

    /// <summary>Out: requests that could not be parsed or validated, with the error in headers.</summary>
    public string RequestedDeadLetter { get; } = prefix + RequestedDeadLetterName;

    /// <summary>Out: every status change, from the transactional outbox.</summary>
    public string Status { get; } = prefix + StatusName;

    /// <summary>Out: notifications dead-lettered after their last attempt.</summary>
    public string SendDeadLetter { get; } = prefix + SendDeadLetterName;

    public IReadOnlyList<string> All => [Requested, RequestedDeadLetter, Status, SendDeadLetter];

    /// <summary>The prefixed name of a logical topic as stored in the outbox.</summary>
    public string Resolve(string logicalName) => prefix + logicalName;
}
