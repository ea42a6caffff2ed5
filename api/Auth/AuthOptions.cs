using System.ComponentModel.DataAnnotations;

namespace Notifly.Api.Auth;

/// <summary>
/// <c>Notifly:Auth</c>: admin users' sign-in. Access tokens are JWTs signed with HMAC-SHA256 by
/// <see cref="SigningKeys"/>; every node of a deployment needs the same keys. The first key signs;
/// all of them verify, so a key is rotated by putting the new one first and removing the old one
/// once the access tokens it signed have expired (<see cref="AccessTokenLifetime"/>).
/// </summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Notifly:Auth";

    /// <summary>Base64 of at least 32 random bytes each (<c>openssl rand -base64 32</c>).</summary>
    public List<string> SigningKeys { get; set; } = [];

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a sign-in lasts, refreshed or not; then the user signs in again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(14);

    public string Issuer { get; set; } = "notifly";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var key in SigningKeys)
        {
            byte[]? bytes = null;
            try
            {
                bytes = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
            }

            if (bytes is not { Length: >= 32 })
            {
                yield return new ValidationResult(
                    "Every Notifly:Auth:SigningKeys entry must be base64 of at least 32 bytes (openssl rand -base64 32).", [nameof(SigningKeys)]);
            }
        }

        if (AccessTokenLifetime <= TimeSpan.Zero || SessionLifetime < AccessTokenLifetime)
        {
            yield return new ValidationResult("Notifly:Auth:AccessTokenLifetime must be positive and no longer than SessionLifetime.");
        }
    }
}
