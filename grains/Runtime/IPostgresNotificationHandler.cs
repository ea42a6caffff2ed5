namespace Notifly.Grains.Runtime;

/// <summary>Receives NOTIFY payloads on the listener's channels.</summary>
public interface IPostgresNotificationHandler
{
    void Handle(string channel, string payload);

    /// <summary>The listener reconnected: anything announced meanwhile was missed.</summary>
    void Reconnected();
}
