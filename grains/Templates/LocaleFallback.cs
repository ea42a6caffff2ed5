using System.Text.RegularExpressions;

namespace Notifly.Grains.Templates;

/// <summary>
/// Which locale variants to try, best first: the exact tag, its language, the default (""). So
/// "fr-CA" finds "fr-CA", then "fr", then the default variant.
/// </summary>
public static partial class LocaleFallback
{
    public const int MaxLength = 35;

    /// <summary>Lower-cases the language and upper-cases a region ("FR-ca" → "fr-CA") so variants match however callers spell them.</summary>
    public static string Normalize(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale))
        {
            return "";
        }

        var parts = locale.Trim().Replace('_', '-').Split('-');
        parts[0] = parts[0].ToLowerInvariant();
        for (var i = 1; i < parts.Length; i++)
        {
            parts[i] = parts[i].Length == 2 ? parts[i].ToUpperInvariant() : parts[i];
        }

        return string.Join('-', parts);
    }

    public static bool IsValid(string? locale) =>
        locale is null || (locale.Length <= MaxLength && LocalePattern().IsMatch(locale.Trim()));

    public static string[] Candidates(string? locale)
    {
        var exact = Normalize(locale);
        if (exact.Length == 0)
        {
            return [""];
        }

        var dash = exact.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? [exact, ""] : [exact, exact[..dash], ""];
    }

    [GeneratedRegex(@"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]
    private static partial Regex LocalePattern();
}
