using System.Text.Json;

namespace Notifly.GrainInterfaces.Templates;

/// <summary>A variable a template declares; <see cref="Sample"/> is what the preview uses when given none.</summary>
public sealed record TemplateVariable(string Name, bool Required = false, JsonElement? Sample = null);
