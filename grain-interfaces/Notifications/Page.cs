namespace Notifly.GrainInterfaces.Notifications;

/// <summary>A keyset page: pass <c>NextCursor</c> back as <c>cursor</c> for the next one.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
