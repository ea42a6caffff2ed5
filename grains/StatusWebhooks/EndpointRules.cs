using System.Collections.Frozen;
using Notifly.GrainInterfaces.StatusWebhooks;

namespace Notifly.Grains.StatusWebhooks;

/// <summary>
/// What a status-webhook endpoint may look like, apart from where its URL leads (that needs DNS:
/// <see cref="WebhookDestinations"/>). Errors are keyed by field, for problem details.
/// </summary>
public static class EndpointRules
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 500;
    public const int MaxHeaders = 20;
    public const int MaxHeaderNameLength = 100;
    public const int MaxHeaderValueLength = 1000;

    // Ours to set (the signature scheme, the body's framing) or the connection's: a tenant's
    // header must not replace the signature or smuggle a second request.
    private static readonly FrozenSet<string> ReservedHeaders = new[]
    {
        "host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "expect", "proxy-authorization", "proxy-connection", "user-agent",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The request with defaults applied and events de-duplicated, or the errors.</summary>
    public static (ValidEndpoint? Endpoint, Dictionary<string, string[]> Errors) Validate(WebhookEndpointRequest request, int defaultTimeoutSeconds)
    {
        var errors = new Dictionary<string, string[]>();
        Uri? url = null;
        if (string.IsNullOrWhiteSpace(request.Url) || request.Url.Length > MaxUrlLength)
        {
            errors["url"] = [$"url is required (at most {MaxUrlLength} characters)."];
        }
        else if (!Uri.TryCreate(request.Url.Trim(), UriKind.Absolute, out url)
                 || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            errors["url"] = ["url must be an absolute https URL."];
        }
        else if (url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            errors["url"] = ["url must not carry credentials or a fragment; send credentials in headers."];
        }

        var events = request.Events?.Select(e => e?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (events.Length == 0)
        {
            errors["events"] = [$"events must name at least one of: {string.Join(", ", StatusWebhookEvents.Subscribable.Order(StringComparer.Ordinal))}."];
        }
        else if (events.FirstOrDefault(e => !StatusWebhookEvents.Subscribable.Contains(e)) is { } unknown)
        {
            errors["events"] = [$"unknown event '{unknown}'; known: {string.Join(", ", StatusWebhookEvents.Subscribable.Order(StringComparer.Ordinal))}."];
        }

        if (request.Description is { Length: > MaxDescriptionLength })
        {
            errors["description"] = [$"description must not exceed {MaxDescriptionLength} characters."];
        }

        if (request.TimeoutSeconds is < 1 or > StatusWebhookOptions.MaxTimeoutSeconds)
        {
            errors["timeoutSeconds"] = [$"timeoutSeconds must be 1–{StatusWebhookOptions.MaxTimeoutSeconds}."];
        }

        var headers = request.Headers ?? new Dictionary<string, string>();
        if (HeaderError(headers) is { } headerError)
        {
            errors["headers"] = [headerError];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidEndpoint(url!, request.Description?.Trim() is { Length: > 0 } d ? d : null, events,
                new Dictionary<string, string>(headers, StringComparer.Ordinal), request.TimeoutSeconds ?? defaultTimeoutSeconds), errors);
    }

    private static string? HeaderError(IReadOnlyDictionary<string, string> headers)
    {
        if (headers.Count > MaxHeaders)
        {
            return $"at most {MaxHeaders} headers.";
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (name.Length is 0 or > MaxHeaderNameLength || !name.All(IsTokenChar))
            {
                return $"header name '{name}' is not a valid HTTP header name (1–{MaxHeaderNameLength} token characters).";
            }

            if (ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase))
            {
                return $"header '{name}' is set by Notifly and cannot be overridden.";
            }

            if (!seen.Add(name))
            {
                return $"header '{name}' is given twice.";
            }

            if (value is null || value.Length > MaxHeaderValueLength || value.Any(c => c is '\r' or '\n' or '\0' || char.IsControl(c) && c != '\t'))
            {
                return $"header '{name}' needs a value of at most {MaxHeaderValueLength} characters without line breaks or control characters.";
            }
        }

        return null;
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
