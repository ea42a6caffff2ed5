namespace Notifly.Grains.Security;

/// <summary>A secret was to be stored but the deployment has no <c>Notifly:Secrets</c> key.</summary>
public sealed class SecretsNotConfiguredException()
    : InvalidOperationException($"No encryption key is configured ({SecretsOptions.Section}:Keys and :ActiveKey), so secrets cannot be stored.");
