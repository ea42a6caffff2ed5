namespace Notifly.Grains.Intake;

/// <summary>
/// Either a validated request or the reasons it is not one. <see cref="ErrorCode"/> is seed 000's
/// code: CHANNEL_DISABLED when that is the only thing wrong, VALIDATION_FAILED otherwise.
/// </summary>
public sealed record Validation(ValidatedRequest? Request, IReadOnlyDictionary<string, string[]> Errors, string? ErrorCode)
{
    public bool IsValid => Request is not null;
}
