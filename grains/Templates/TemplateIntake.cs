using System.Text.Json;
using HandlebarsDotNet;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;

namespace Notifly.Grains.Templates;

/// <summary>
/// Renders a validated request's template before it is stored, so the notification keeps the
/// text it was accepted with: activating a new version later never changes what an in-flight
/// (scheduled, retrying) notification sends. Requests without a template pass through without
/// touching the database.
/// </summary>
public sealed class TemplateIntake(Database database, TemplateRenderer renderer)
{
    public const string TemplateNotFound = "TEMPLATE_NOT_FOUND";

    public async Task<Validation> RenderAsync(Guid tenantId, ValidatedRequest request, CancellationToken cancellationToken)
    {
        if (request.Template is not { } reference)
        {
            return Valid(request);
        }

        var channel = request.Channels[0];
        TemplateVersion? template;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            template = await TemplateStore.FindAsync(connection, null, tenantId, reference.Name, channel,
                LocaleFallback.Candidates(reference.Locale), reference.Version, cancellationToken);
        }

        return Render(request, reference, channel, template);
    }

    /// <summary>
    /// As <see cref="RenderAsync"/> for many requests of one tenant (Kafka's intake batch), with
    /// one query for all of their templates instead of one each.
    /// </summary>
    public async Task<Validation[]> RenderAllAsync(Guid tenantId, IReadOnlyList<ValidatedRequest> requests, CancellationToken cancellationToken)
    {
        var references = requests.Where(r => r.Template is not null).Select(r => r.Template!).ToArray();
        IReadOnlyList<TemplateVersion> candidates = [];
        if (references.Length > 0)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            candidates = await TemplateStore.FindCandidatesAsync(connection, tenantId,
                references.Select(r => r.Name).Distinct(StringComparer.Ordinal).ToArray(),
                references.Where(r => r.Version is not null).Select(r => r.Version!.Value).Distinct().ToArray(), cancellationToken);
        }

        return requests.Select(request => request.Template is not { } reference
                ? Valid(request)
                : Render(request, reference, request.Channels[0], TemplateStore.Pick(
                    candidates, reference.Name, request.Channels[0], LocaleFallback.Candidates(reference.Locale), reference.Version)))
            .ToArray();
    }

    private Validation Render(ValidatedRequest request, TemplateReference reference, Channel channel, TemplateVersion? template)
    {
        if (template is null)
        {
            var which = reference.Version is { } v ? $"version {v} of template '{reference.Name}'" : $"an active template '{reference.Name}'";
            return Invalid(TemplateNotFound, "template", $"There is no {which} for {channel.Name()}.");
        }

        TemplateRender render;
        using (var payload = JsonDocument.Parse(request.PayloadJson))
        {
            try
            {
                render = renderer.Render(template, payload.RootElement);
            }
            catch (HandlebarsException e)
            {
                return Invalid("VALIDATION_FAILED", "template", $"Template '{template.Name}' v{template.Version} failed to render: {e.Message}");
            }
        }

        if (!render.Succeeded)
        {
            return new Validation(null, render.Missing.ToDictionary(
                name => $"payload.{name}", name => new[] { $"template variable '{name}' is required." }), "VALIDATION_FAILED");
        }

        if (render.Body!.Length > IntakeLimits.MaxBodyLength || render.Subject?.Length > IntakeLimits.MaxSubjectLength)
        {
            return Invalid("VALIDATION_FAILED", "template",
                $"the rendered text exceeds {IntakeLimits.MaxSubjectLength} characters (subject) or {IntakeLimits.MaxBodyLength} (body).");
        }

        // The reference now names what rendered: stored with the notification, shown by GET.
        return Valid(request with
        {
            Subject = render.Subject, Body = render.Body, BodyIsHtml = template.Html,
            Template = reference with { Version = template.Version, Locale = template.Locale.Length == 0 ? null : template.Locale },
        });
    }

    private static Validation Valid(ValidatedRequest request) => new(request, new Dictionary<string, string[]>(), null);

    private static Validation Invalid(string code, string field, string message) =>
        new(null, new Dictionary<string, string[]> { [field] = [message] }, code);
}
