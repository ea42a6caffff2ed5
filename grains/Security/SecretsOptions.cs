using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Security;

/// <summary>
/// Keys that encrypt tenants' secrets at rest (<c>Notifly:Secrets</c>): provider credentials and
/// status-webhook signing secrets. <see cref="Keys"/> maps a key id to 32 random bytes in base64
/// (<c>openssl rand -base64 32</c>); new secrets are sealed with <see cref="ActiveKey"/>, and
/// older keys stay listed until every row has been re-sealed (at worker start, docs/0015).
/// </summary>
public sealed class SecretsOptions : IValidatableObject
{
    public const string Section = "Notifly:Secrets";

    public Dictionary<string, string> Keys { get; set; } = [];

    public string? ActiveKey { get; set; }

    public bool IsConfigured => Keys.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var key = new byte[48];
        foreach (var (id, value) in Keys)
        {
            if (id.Length is 0 or > 64 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_' and not '.'))
            {
                yield return new ValidationResult($"{Section}:Keys: key id '{id}' must be 1-64 letters, digits, '-', '_' or '.'.");
            }

            if (!Convert.TryFromBase64String(value, key, out var length) || length != 32)
            {
                // The value itself is a secret: the message names only the id.
                yield return new ValidationResult($"{Section}:Keys:{id} must be 32 bytes in base64 (openssl rand -base64 32).");
            }
        }

        if (Keys.Count > 0 && (ActiveKey is null || !Keys.ContainsKey(ActiveKey)))
        {
            yield return new ValidationResult($"{Section}:ActiveKey must name one of {Section}:Keys.");
        }

        if (Keys.Count == 0 && ActiveKey is not null)
        {
            yield return new ValidationResult($"{Section}:ActiveKey is set but {Section}:Keys is empty.");
        }
    }
}
