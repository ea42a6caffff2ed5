namespace Notifly.Grains.Runtime;

/// <summary>
/// Wakes the reminder service when new work may be due: from this node's intake directly, and
/// from other nodes through LISTEN/NOTIFY.
/// </summary>
public sealed class WakeUpSignal : Signal;
