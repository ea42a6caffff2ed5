namespace Notifly.Grains.Templates;

/// <summary>
/// The template a send request names: the active version unless <see cref="Version"/> pins one,
/// in the <see cref="Locale"/> variant or the nearest fallback.
/// </summary>
public sealed record TemplateReference(string Name, int? Version, string? Locale);
