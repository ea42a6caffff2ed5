using Notifly.Grains.Channels;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// What one call to an endpoint came to: success (2xx), transient (408, 429, 5xx, timeout,
/// network) or permanent (any other status, a refused destination, a secret that cannot be opened).
/// </summary>
internal sealed record CallResult(OutcomeKind Kind, int? ResponseStatus, string? ResponseBody, string? Error, TimeSpan? RetryAfter = null);
