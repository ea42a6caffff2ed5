using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>What a template version rendered to, and which version and locale variant that was.</summary>
public sealed record RenderedTemplate(string Name, Channel Channel, string? Locale, int Version, string? Subject, string Body);
