namespace Notifly.Grains.Channels;

public enum OutcomeKind
{
    /// <summary>The provider accepted the message.</summary>
    Success,

    /// <summary>Worth retrying: timeouts, network errors, 408, 429, 5xx.</summary>
    Transient,

    /// <summary>Retrying cannot help: invalid recipient, other 4xx, rejected content.</summary>
    Permanent,
}
