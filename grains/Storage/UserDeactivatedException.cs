namespace Notifly.Grains.Storage;

/// <summary>
/// The signed-in user was deactivated or deleted after this request was authenticated.
/// Serializable like <see cref="ApiKeyRevokedException"/>, so a grain's turn answers with it.
/// </summary>
[GenerateSerializer]
public sealed class UserDeactivatedException() : Exception("the user is deactivated");
