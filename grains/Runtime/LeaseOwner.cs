namespace Notifly.Grains.Runtime;

/// <summary>
/// This silo's name in the cluster (its address and generation), written on the reminders of the
/// attempts it runs, so a survivor can bring them due when the cluster declares it dead.
/// </summary>
public sealed record LeaseOwner(string Name);
