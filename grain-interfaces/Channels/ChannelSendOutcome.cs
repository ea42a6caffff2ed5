namespace Notifly.GrainInterfaces.Channels;

[GenerateSerializer]
public enum ChannelSendOutcome
{
    /// <summary>The provider accepted the message.</summary>
    Success,

    /// <summary>Worth retrying: timeouts, network errors, 408, 429, 5xx, an open circuit.</summary>
    Transient,

    /// <summary>Retrying cannot help: invalid recipient, other 4xx, rejected content.</summary>
    Permanent,
}
