using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Http;
using Notifly.Grains.Intake;
using Notifly.Grains.Templates;

namespace Notifly.Api.Templates;

/// <summary>The REST side of rendering at intake: a send's template problems as HTTP answers (404 TEMPLATE_NOT_FOUND, 400 VALIDATION_FAILED).</summary>
public static class TemplateSends
{
    public static async Task<(IntakeItem? Item, ProblemHttpResult? Problem)> RenderAsync(
        IntakeItem item, TemplateIntake templates, CancellationToken cancellationToken)
    {
        if (item.Request.Template is null)
        {
            return (item, null);
        }

        var rendered = await templates.RenderAsync(item.TenantId, item.Request, cancellationToken);
        if (rendered.IsValid)
        {
            return (item with { Request = rendered.Request! }, null);
        }

        return rendered.ErrorCode == ErrorCodes.TemplateNotFound
            ? (null, TemplateProblems.NotFound(string.Join(" ", rendered.Errors.SelectMany(e => e.Value))))
            : (null, Problems.Validation(rendered.Errors, rendered.ErrorCode!));
    }
}
