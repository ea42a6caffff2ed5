using System.Text.RegularExpressions;

namespace Notifly.Grains.Templates;

/// <summary>What a template name may be: it appears in URLs (<c>/api/admin/templates/{name}</c>), so no slashes or spaces.</summary>
public static partial class TemplateNames
{
    public const int MaxLength = 100;

    public const string Rule = "template names are 1–100 characters of letters, digits and . _ -";

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && NamePattern().IsMatch(name);

    [GeneratedRegex(@"^[A-Za-z0-9._\-]+$")]
    private static partial Regex NamePattern();
}
