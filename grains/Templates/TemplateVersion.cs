using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Templates;

namespace Notifly.Grains.Templates;

/// <summary>
/// A row of <c>notification_templates</c>. Everything but <see cref="IsActive"/> is immutable
/// once written, which is what lets <see cref="TemplateRenderer"/> cache by <see cref="Id"/>.
/// <see cref="Locale"/> "" is the default variant.
/// </summary>
public sealed record TemplateVersion(
    Guid Id,
    string Name,
    Channel Channel,
    string Locale,
    int Version,
    string? Subject,
    string Body,
    IReadOnlyList<TemplateVariable> Variables,
    bool Html,
    bool IsActive,
    string CreatedBy,
    DateTimeOffset CreatedAt)
{
    public TemplateVersionView ToView() =>
        new(Name, Channel, Locale.Length == 0 ? null : Locale, Version, Subject, Body, Variables, Html, IsActive, CreatedBy, CreatedAt);
}
