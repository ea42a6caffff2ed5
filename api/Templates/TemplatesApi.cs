using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Notifly.Api.Auth;
using Notifly.Api.Http;
using Notifly.Api.OpenApi;
using Notifly.GrainInterfaces.Notifications;
using Notifly.GrainInterfaces.Templates;
using Notifly.Grains.Intake;
using Notifly.Grains.Storage;
using Notifly.Grains.Templates;

namespace Notifly.Api.Templates;

/// <summary>
/// <c>/api/admin/templates</c>: versioned templates per (name, channel, locale). Any key of the
/// tenant may read and preview; only ADMIN keys create and activate (docs/0007).
/// </summary>
public static partial class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/admin/templates").RequireAuthorization(Policies.Read).WithTags("Templates");
        api.MapGet("/", List).WithName("ListTemplates");
        api.MapPost("/", Create).WithName("CreateTemplateVersion").RequireAuthorization(Policies.Edit).ReadsJsonBody<CreateTemplateRequest>();
        api.MapGet("/{name}", Versions).WithName("GetTemplateVersions");
        api.MapPost("/{name}/versions/{version:int}/activate", Activate).WithName("ActivateTemplateVersion").RequireAuthorization(Policies.Edit);
        api.MapPost("/{name}/preview", Preview).WithName("PreviewTemplate").ReadsJsonBody<PreviewTemplateRequest>();
        api.MapPost("/render", RenderDraft).WithName("RenderTemplateDraft").ReadsJsonBody<RenderDraftRequest>();
        return api;
    }

    public static async Task<Ok<IReadOnlyList<TemplateSummary>>> List(HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        return TypedResults.Ok(await TemplateStore.ListAsync(scope, cancellationToken));
    }

    public static async Task<Results<Created<TemplateCreated>, ProblemHttpResult>> Create(
        HttpContext context, Database database, TemplateRenderer renderer, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateTemplateRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = ValidateDraft(request!, renderer);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var channel = request!.Channel!.Value;
        var draft = new TemplateVersion(Guid.Empty, request.Name!.Trim(), channel, LocaleFallback.Normalize(request.Locale), 0,
            request.Subject, request.Body!, request.Variables ?? [], request.Html ?? channel == Channel.Email, false,
            context.Caller().Actor, default);

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var created = await TemplateStore.CreateAsync(scope, draft, request.Activate, time.GetUtcNow(), cancellationToken);
        await scope.CommitAsync(cancellationToken);

        var declared = draft.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var undeclared = TemplateReferences.Find(draft.Subject, draft.Body).Where(r => !declared.Contains(r)).ToArray();
        var view = created.ToView();
        return TypedResults.Created($"/api/admin/templates/{Uri.EscapeDataString(created.Name)}",
            new TemplateCreated(view.Name, view.Channel, view.Locale, view.Version, view.Active, undeclared));
    }

    public static async Task<Results<Ok<IReadOnlyList<TemplateVersionView>>, ProblemHttpResult>> Versions(
        string name, HttpContext context, Database database, CancellationToken cancellationToken)
    {
        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var versions = await TemplateStore.VersionsAsync(scope, name, cancellationToken);
        return versions.Count == 0
            ? TemplateProblems.NotFound($"There is no template '{name}'.")
            : TypedResults.Ok<IReadOnlyList<TemplateVersionView>>([.. versions.Select(v => v.ToView())]);
    }

    /// <summary>
    /// Makes a version the one sends use. <paramref name="channel"/> may be left out when the name
    /// has one channel; <paramref name="locale"/> left out means the default variant.
    /// </summary>
    public static async Task<Results<Ok<TemplateVersionView>, ProblemHttpResult>> Activate(
        string name, int version, HttpContext context, Database database, TimeProvider time, CancellationToken cancellationToken,
        string? channel = null, string? locale = null)
    {
        if (!LocaleFallback.IsValid(locale))
        {
            return Problems.Validation("locale", "locale must be a language tag such as \"fr\" or \"fr-CA\".");
        }

        await using var scope = await database.BeginCallerScopeAsync(context, cancellationToken);
        var (resolved, problem) = await ChannelOfAsync(scope, name, channel, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var activated = await TemplateStore.ActivateAsync(scope, name, resolved, LocaleFallback.Normalize(locale), version,
            context.Caller().Actor, time.GetUtcNow(), cancellationToken);
        if (activated is null)
        {
            return TemplateProblems.NotFound($"Template '{name}' has no version {version} for {resolved.Name()}{(locale is null ? "" : $" in locale {locale}")}.");
        }

        await scope.CommitAsync(cancellationToken);
        return TypedResults.Ok(activated.ToView());
    }

    /// <summary>
    /// Renders a version (the active one unless the body names one) with the variables given, or
    /// the declared samples, exactly as a send would: same locale fallback, escaping and checks.
    /// </summary>
    public static async Task<Results<Ok<RenderedTemplate>, ProblemHttpResult>> Preview(
        string name, HttpContext context, Database database, TemplateRenderer renderer, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<PreviewTemplateRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!LocaleFallback.IsValid(request!.Locale))
        {
            return Problems.Validation("locale", "locale must be a language tag such as \"fr\" or \"fr-CA\".");
        }

        if (request.Variables is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            return Problems.Validation("variables", "variables must be a JSON object.");
        }

        TemplateVersion? template;
        await using (var scope = await database.BeginCallerScopeAsync(context, cancellationToken))
        {
            var (channel, channelProblem) = await ChannelOfAsync(scope, name, request.Channel?.Name(), cancellationToken);
            if (channelProblem is not null)
            {
                return channelProblem;
            }

            template = await TemplateStore.FindAsync(scope.Connection, scope.Transaction, scope.TenantId, name, channel,
                LocaleFallback.Candidates(request.Locale), request.Version, cancellationToken);
            if (template is null)
            {
                return TemplateProblems.NotFound(request.Version is { } v
                    ? $"Template '{name}' has no version {v} for {channel.Name()}."
                    : $"Template '{name}' has no active version for {channel.Name()}.");
            }
        }

        var variables = request.Variables is { ValueKind: JsonValueKind.Object } given ? given : Samples(template);
        var render = renderer.Render(template, variables);
        if (!render.Succeeded)
        {
            return Problems.Validation(render.Missing.ToDictionary(
                v => $"variables.{v}", v => new[] { $"template variable '{v}' is required." }));
        }

        var view = template.ToView();
        return TypedResults.Ok(new RenderedTemplate(view.Name, view.Channel, view.Locale, view.Version, render.Subject, render.Body!));
    }

    /// <summary>
    /// Renders text that is not saved (the dashboard's editor, as it is typed) with the variables
    /// given: the same compile checks as a create, the same rendering as a send. Stores nothing.
    /// </summary>
    public static async Task<Results<Ok<RenderedTemplate>, ProblemHttpResult>> RenderDraft(
        HttpContext context, TemplateRenderer renderer, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<RenderDraftRequest>(context.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        const string name = "draft";
        var errors = ValidateDraft(new CreateTemplateRequest(name, request!.Channel, request.Body, Subject: request.Subject, Html: request.Html), renderer);
        if (request.Variables is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            errors["variables"] = ["variables must be a JSON object."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var channel = request.Channel!.Value;
        var draft = new TemplateVersion(Guid.Empty, name, channel, LocaleFallback.Normalize(null), 0, request.Subject, request.Body!, [],
            request.Html ?? channel == Channel.Email, false, context.Caller().Actor, default);
        var render = renderer.Render(draft, request.Variables is { ValueKind: JsonValueKind.Object } given ? given : EmptyObject);
        if (!render.Succeeded)
        {
            return Problems.Validation(render.Missing.ToDictionary(
                v => $"variables.{v}", v => new[] { $"template variable '{v}' is required." }));
        }

        return TypedResults.Ok(new RenderedTemplate(name, channel, draft.Locale, 0, render.Subject, render.Body!));
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static JsonElement Samples(TemplateVersion template)
    {
        var samples = template.Variables.Where(v => v.Sample is not null).ToDictionary(v => v.Name, v => v.Sample!.Value);
        return JsonSerializer.SerializeToElement(samples, Json.Options);
    }

    /// <summary>The channel a read or activation means: the one asked for, or the name's only one.</summary>
    private static async Task<(Channel Channel, ProblemHttpResult? Problem)> ChannelOfAsync(
        TenantScope scope, string name, string? channel, CancellationToken cancellationToken)
    {
        if (channel is not null)
        {
            return Wire.TryParseChannel(channel.ToUpperInvariant(), out var parsed)
                ? (parsed, null)
                : (default, Problems.Validation("channel", $"unknown channel '{channel}'."));
        }

        var channels = (await TemplateStore.VersionsAsync(scope, name, cancellationToken)).Select(v => v.Channel).Distinct().ToArray();
        return channels.Length switch
        {
            0 => (default, TemplateProblems.NotFound($"There is no template '{name}'.")),
            1 => (channels[0], null),
            _ => (default, Problems.Validation("channel", $"template '{name}' exists for several channels; name one.")),
        };
    }

    private static Dictionary<string, string[]> ValidateDraft(CreateTemplateRequest request, TemplateRenderer renderer)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TemplateNames.IsValid(request.Name?.Trim()))
        {
            errors["name"] = [TemplateNames.Rule];
        }

        if (request.Channel is null)
        {
            errors["channel"] = ["channel is required (EMAIL, SMS, PUSH or WEBHOOK)."];
        }

        if (!LocaleFallback.IsValid(request.Locale))
        {
            errors["locale"] = ["locale must be a language tag such as \"fr\" or \"fr-CA\"."];
        }

        var html = request.Html ?? request.Channel == Channel.Email;
        if (string.IsNullOrEmpty(request.Body) || request.Body.Length > IntakeLimits.MaxBodyLength)
        {
            errors["body"] = [$"body is required (1–{IntakeLimits.MaxBodyLength} characters)."];
        }
        else if (renderer.CompileError(request.Body, html) is { } bodyError)
        {
            errors["body"] = [$"body does not compile: {bodyError}"];
        }

        if (request.Subject is { } subject)
        {
            if (subject.Length > IntakeLimits.MaxSubjectLength)
            {
                errors["subject"] = [$"subject must not exceed {IntakeLimits.MaxSubjectLength} characters."];
            }
            else if (renderer.CompileError(subject, html: false) is { } subjectError)
            {
                errors["subject"] = [$"subject does not compile: {subjectError}"];
            }
        }

        var variables = request.Variables ?? [];
        if (variables.Any(v => v is null || !VariablePattern().IsMatch(v.Name ?? "")))
        {
            errors["variables"] = ["each variable needs a name of letters, digits and _ (not starting with a digit)."];
        }
        else if (variables.GroupBy(v => v.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            errors["variables"] = [$"variable '{duplicate.Key}' is declared twice."];
        }

        return errors;
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,99}$")]
    private static partial Regex VariablePattern();
}
