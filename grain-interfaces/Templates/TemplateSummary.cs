using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>One template variant in the listing: its newest version and the one sends use (null: none active).</summary>
public sealed record TemplateSummary(string Name, Channel Channel, string? Locale, int LatestVersion, int? ActiveVersion, DateTimeOffset UpdatedAt);
