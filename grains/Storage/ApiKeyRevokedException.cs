namespace Notifly.Grains.Storage;

/// <summary>The API key was revoked after this node authenticated it.</summary>
public sealed class ApiKeyRevokedException() : Exception("the API key has been revoked");
