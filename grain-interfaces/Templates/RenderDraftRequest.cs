using System.Text.Json;
using Notifly.GrainInterfaces.Notifications;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>
/// Body of <c>POST /api/admin/templates/render</c>: a template not saved yet (the editor's text)
/// and the variables to render it with, checked and rendered exactly as a saved version would be.
/// </summary>
public sealed record RenderDraftRequest(
    Channel? Channel, string? Body, string? Subject = null, bool? Html = null, JsonElement? Variables = null);
