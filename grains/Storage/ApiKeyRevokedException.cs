namespace Notifly.Grains.Storage;

/// <summary>
/// The API key was revoked after this node authenticated it. Serializable, so a turn a grain ran
/// for the key answers the api node with this and not a generic failure.
/// </summary>
[GenerateSerializer]
public sealed class ApiKeyRevokedException() : Exception("the API key has been revoked");
