using Notifly.Grains.Runtime;

namespace Notifly.Grains.Kafka.Outbox;

/// <summary>
/// Wakes this node's <see cref="OutboxRelay"/> after a commit that wrote outbox rows, so events
/// leave within milliseconds instead of a poll interval. Rows written by other nodes are found by
/// polling.
/// </summary>
public sealed class OutboxSignal : Signal;
