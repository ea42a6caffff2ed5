using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>
/// Body of <c>POST /api/admin/templates/{name}/preview</c>. Without a version the active one
/// renders; without variables, the declared samples.
/// </summary>
public sealed record PreviewTemplateRequest(
    Channel? Channel = null, string? Locale = null, int? Version = null, JsonElement? Variables = null);
