namespace Notifly.GrainInterfaces.Notifications;

/// <summary>One item of a batch answer: <c>Status</c> is the HTTP status the item would have had alone.</summary>
public sealed record BatchItemResult(
    int Index,
    int Status,
    Guid? RequestId = null,
    Guid? CorrelationId = null,
    bool Replayed = false,
    string? ErrorCode = null,
    string? Error = null);
