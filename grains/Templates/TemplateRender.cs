namespace Notifly.Grains.Templates;

/// <summary>A rendered subject and body, or (when <see cref="Missing"/> is not empty) the required variables that were absent.</summary>
public sealed record TemplateRender(string? Subject, string? Body, IReadOnlyList<string> Missing)
{
    public bool Succeeded => Missing.Count == 0;
}
