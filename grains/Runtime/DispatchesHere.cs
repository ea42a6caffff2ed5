namespace Notifly.Grains.Runtime;

/// <summary>
/// Registered only where the reminder service runs: this node wants to hear of new reminders
/// (<c>LISTEN notifly_reminders</c>). Api nodes and silos that deliver nothing do not: every
/// intake transaction notifies, and a listener that has nothing to wake still pays for each one.
/// </summary>
public sealed class DispatchesHere;
