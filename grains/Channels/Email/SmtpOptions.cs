using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace Notifly.Grains.Channels.Email;

/// <summary>How the SMTP connection is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS when the server offers it, plain otherwise (the default: a local relay often has no TLS).</summary>
    StartTlsWhenAvailable,

    /// <summary>STARTTLS or no send: a server that does not offer it is refused, never spoken to in the clear.</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465, "SMTPS").</summary>
    Tls,

    /// <summary>Never TLS, even when offered.</summary>
    None,
}

public sealed class SmtpOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Channels:Smtp";

    [Required]
    public string Host { get; set; } = "localhost";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTlsWhenAvailable;

    /// <summary>
    /// A PEM file of the certificate authority that signed the server's certificate, for a relay
    /// with a private CA; the system's trust store is used when unset. The host name is checked either way.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>With <see cref="Password"/>: AUTH with the best mechanism both sides support (never over a clear connection unless <see cref="SmtpSecurity.None"/>).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "Notifly <no-reply@notifly.local>";

    /// <summary>The whole conversation with the server: connect, greeting, TLS, AUTH, envelope, data.</summary>
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

        if (TrustedCaFile is not null && !File.Exists(TrustedCaFile))
        {
            yield return new ValidationResult($"TrustedCaFile '{TrustedCaFile}' does not exist.", [nameof(TrustedCaFile)]);
        }
    }
}
