using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Notifly.Grains.Channels.Sms;

/// <summary>
/// The deployment's Twilio account (<c>Notifly:Channels:Twilio</c>). The SMS sender is registered
/// only when <see cref="AccountSid"/> is set; then every setting is checked at start.
/// </summary>
public sealed partial class TwilioOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Channels:Twilio";

    public string? AccountSid { get; set; }

    /// <summary>A secret: never logged, never put in an outcome's message.</summary>
    public string? AuthToken { get; set; }

    /// <summary>An E.164 number (<c>+15005550006</c>) or a Messaging Service SID (<c>MG…</c>).</summary>
    public string? From { get; set; }

    public Uri BaseUrl { get; set; } = new("https://api.twilio.com");

    /// <summary>
    /// Sent as each message's <c>StatusCallback</c>. A tenant's own Twilio provider gets its
    /// receipt URL here (docs/0015); the deployment's account leaves it to the Twilio console.
    /// </summary>
    public Uri? StatusCallback { get; set; }

    /// <summary>One API call, connect to last byte; Twilio answers in well under a second normally.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool FromIsMessagingService => From is { } from && MessagingServiceSid().IsMatch(from);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Checked at start: a wrong setting would otherwise fail every SMS, one retry at a time.
        if (AccountSid is null || !AccountSidPattern().IsMatch(AccountSid))
        {
            yield return new ValidationResult(
                $"{SectionName}:AccountSid must be a Twilio account SID (AC followed by 32 hex digits).", [nameof(AccountSid)]);
        }

        if (string.IsNullOrWhiteSpace(AuthToken))
        {
            yield return new ValidationResult($"{SectionName}:AuthToken is required.", [nameof(AuthToken)]);
        }

        if (From is null || !(E164().IsMatch(From) || MessagingServiceSid().IsMatch(From)))
        {
            yield return new ValidationResult(
                $"{SectionName}:From must be an E.164 number such as +15005550006 or a Messaging Service SID (MG…).", [nameof(From)]);
        }

        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"{SectionName}:BaseUrl must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }
    }

    [GeneratedRegex("^AC[0-9a-fA-F]{32}$")]
    private static partial Regex AccountSidPattern();

    [GeneratedRegex("^MG[0-9a-fA-F]{32}$")]
    private static partial Regex MessagingServiceSid();

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$")]
    private static partial Regex E164();
}
