using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>
/// Body of <c>POST /api/admin/templates</c>: a new version of the (name, channel, locale) variant.
/// <see cref="Html"/> defaults to true for EMAIL and false for the other channels.
/// </summary>
public sealed record CreateTemplateRequest(
    string? Name,
    Channel? Channel,
    string? Body,
    string? Locale = null,
    string? Subject = null,
    IReadOnlyList<TemplateVariable>? Variables = null,
    bool? Html = null,
    bool? Activate = null);
