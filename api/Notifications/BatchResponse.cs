using Notifly.GrainInterfaces.Notifications;

namespace Notifly.Api.Notifications;

public sealed record BatchResponse(int Accepted, int Rejected, IReadOnlyList<BatchItemResult> Results);
