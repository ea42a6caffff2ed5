namespace Notifly.GrainInterfaces.Notifications;

/// <summary>The template version that rendered a notification; <see cref="Locale"/> null for the template's default variant.</summary>
public sealed record NotificationTemplate(string Name, int? Version, string? Locale);
