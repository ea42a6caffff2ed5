using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace Notifly.Grains.Channels.Email;

/// <summary>
/// The deployment's SendGrid account (<c>Notifly:Channels:SendGrid</c>, docs/0016). When
/// <see cref="ApiKey"/> is set, SendGrid replaces SMTP as the email sender and every setting is
/// checked at start.
/// </summary>
public sealed class SendGridOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Channels:SendGrid";

    /// <summary>A secret: never logged, never put in an outcome's message or a validation error.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A bare address of a verified sender identity (<c>no-reply@example.com</c>); SendGrid answers 403 to any other.</summary>
    public string? From { get; set; }

    public string? FromName { get; set; }

    /// <summary><c>https://api.sendgrid.com</c>, or <c>https://api.eu.sendgrid.com</c> for an EU regional subuser.</summary>
    public Uri BaseUrl { get; set; } = new("https://api.sendgrid.com");

    /// <summary>One API call, connect to last byte.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The Signed Event Webhook's verification key as SendGrid's settings page shows it: Base64 of
    /// the DER SubjectPublicKeyInfo of an ECDSA P-256 key. Without it the event endpoint is off.
    /// </summary>
    public string? EventWebhookPublicKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked at start: a wrong setting would otherwise fail every email, one retry at a time.
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            yield return new ValidationResult($"{SectionName}:ApiKey is required.", [nameof(ApiKey)]);
        }

        if (From is null || !MailAddress.TryCreate(From, out var from) || from.Address != From.Trim())
        {
            yield return new ValidationResult(
                $"{SectionName}:From must be a bare email address such as no-reply@example.com (the name goes in FromName).", [nameof(From)]);
        }

        if (FromName is not null && FromName.AsSpan().ContainsAny('\r', '\n'))
        {
            yield return new ValidationResult($"{SectionName}:FromName must be one line.", [nameof(FromName)]);
        }

        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"{SectionName}:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }

        if (EventWebhookPublicKey is not null && !SendGridEventSignature.IsPublicKey(EventWebhookPublicKey))
        {
            yield return new ValidationResult(
                $"{SectionName}:EventWebhookPublicKey must be the Base64 ECDSA P-256 public key from SendGrid's Signed Event Webhook settings.",
                [nameof(EventWebhookPublicKey)]);
        }
    }
}
