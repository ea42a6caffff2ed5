using System.ComponentModel.DataAnnotations;

namespace Notifly.Grains.Channels.Push;

/// <summary>
/// Firebase Cloud Messaging (HTTP v1). The channel exists only when a service account is given,
/// inline (<see cref="ServiceAccountJson"/>) or as a key file (<see cref="ServiceAccountFile"/>).
/// </summary>
public sealed class FcmOptions : IValidatableObject
{
    public const string SectionName = "Notifly:Channels:Fcm";

    /// <summary>The content of the service account's JSON key file. A secret: never logged.</summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>A path to the service account's JSON key file, instead of <see cref="ServiceAccountJson"/>.</summary>
    public string? ServiceAccountFile { get; set; }

    /// <summary>Where messages:send lives; tests point it at a fake.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://fcm.googleapis.com");

    /// <summary>One call, token exchange included, connect to last response byte read.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceAccountJson) || !string.IsNullOrWhiteSpace(ServiceAccountFile);

    /// <summary>Reads and checks the key; <see cref="FormatException"/> names the setting, never the key.</summary>
    public FcmServiceAccount LoadServiceAccount()
    {
        if (!string.IsNullOrWhiteSpace(ServiceAccountJson))
        {
            return FcmServiceAccount.Parse(ServiceAccountJson, $"{SectionName}:{nameof(ServiceAccountJson)}");
        }

        var setting = $"{SectionName}:{nameof(ServiceAccountFile)}";
        string json;
        try
        {
            json = File.ReadAllText(ServiceAccountFile!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"{setting}: cannot read '{ServiceAccountFile}': {e.Message}", e);
        }

        return FcmServiceAccount.Parse(json, setting);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ServiceAccountJson) && !string.IsNullOrWhiteSpace(ServiceAccountFile))
        {
            yield return new ValidationResult(
                $"{SectionName}: set {nameof(ServiceAccountJson)} or {nameof(ServiceAccountFile)}, not both.",
                [nameof(ServiceAccountJson), nameof(ServiceAccountFile)]);
            yield break;
        }

        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
        {
            yield return new ValidationResult($"{SectionName}:{nameof(BaseUrl)} must be an absolute http(s) URL.", [nameof(BaseUrl)]);
        }

        if (!IsConfigured)
        {
            yield break;
        }

        string? error = null;
        try
        {
            LoadServiceAccount();
        }
        catch (FormatException e)
        {
            error = e.Message;
        }

        if (error is not null)
        {
            yield return new ValidationResult(error, [nameof(ServiceAccountJson)]);
        }
    }
}
