using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>One stored version of a template variant; <see cref="Locale"/> null is the default variant.</summary>
public sealed record TemplateVersionView(
    string Name,
    Channel Channel,
    string? Locale,
    int Version,
    string? Subject,
    string Body,
    IReadOnlyList<TemplateVariable> Variables,
    bool Html,
    bool Active,
    string CreatedBy,
    DateTimeOffset CreatedAt);
