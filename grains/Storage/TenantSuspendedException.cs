namespace Notifly.Grains.Storage;

/// <summary>
/// The caller's tenant was suspended by an operator after this node authenticated the caller.
/// Serializable like <see cref="ApiKeyRevokedException"/>, so a grain's turn answers with it.
/// </summary>
[GenerateSerializer]
public sealed class TenantSuspendedException() : Exception("the tenant is suspended");
