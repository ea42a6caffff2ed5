using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Notifly.Api.Http;

namespace Notifly.Api.Templates;

/// <summary>Seed 000's TEMPLATE_NOT_FOUND: for admin reads and for a send naming a template the tenant does not have.</summary>
public static class TemplateProblems
{
    public static ProblemHttpResult NotFound(string detail) =>
        Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.TemplateNotFound, "Template not found.", detail);
}
