using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>
/// Answer to a template creation. <see cref="UndeclaredVariables"/> names what the template
/// references but does not declare: rendered empty when absent, so probably a typo.
/// </summary>
public sealed record TemplateCreated(
    string Name, Channel Channel, string? Locale, int Version, bool Active, IReadOnlyList<string> UndeclaredVariables);
