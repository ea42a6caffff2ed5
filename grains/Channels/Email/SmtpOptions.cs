using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace Notifly.Grains.Channels.Email;

public sealed class SmtpOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Channels:Smtp";

    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Upgrade the connection with STARTTLS before sending (not implicit TLS on 465).</summary>
    public bool EnableStartTls { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "Notifly <no-reply@notifly.local>";

    /// <summary>The whole conversation with the server: connect, greeting, envelope, data.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked at start, or every email would fail on a setting no retry can fix.
        if (!MailAddress.TryCreate(From, out _))
        {
            yield return new ValidationResult($"'{From}' is not a mail address.", [nameof(From)]);
        }

        if (Username is not null && Password is null)
        {
            yield return new ValidationResult("A Username needs a Password.", [nameof(Password)]);
        }
    }
}
