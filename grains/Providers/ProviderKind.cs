using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Notifly.GrainInterfaces.Notifications;
using Notifly.Grains.Channels;

namespace Notifly.Grains.Providers;

/// <summary>
/// A kind of provider a tenant can register (<c>twilio</c>, <c>fcm</c>, …): how its settings and
/// credentials bind to the sender's options, which fields are secret, and how a sender is made
/// (docs/0015). Settings and credentials are two JSON objects; together they bind to the same
/// options class the deployment's own provider of that kind reads from configuration.
/// </summary>
public abstract class ProviderKind
{
    public abstract string Name { get; }

    public abstract Channel Channel { get; }

    /// <summary>Fields accepted only under <c>credentials</c>: sealed at rest, never shown.</summary>
    public abstract IReadOnlySet<string> SecretFields { get; }

    /// <summary>Fields a tenant may not set at all (a path on the server's disk, say).</summary>
    public virtual IReadOnlySet<string> ForbiddenFields { get; } = new HashSet<string>();

    /// <summary>Checks a provider's merged settings and credentials; an empty list means it can be built.</summary>
    public abstract IReadOnlyList<ProviderFieldError> Validate(JsonObject config);

    /// <summary>Builds the sender for a provider whose configuration passed <see cref="Validate"/>.</summary>
    public abstract IChannelSender Create(ProviderContext context, JsonObject config);
}

/// <summary>The provider row a sender is built for.</summary>
public sealed record ProviderContext(Guid ProviderId, Guid TenantId, string Name);

/// <summary>One problem with a provider's configuration, at <c>settings.x</c> or <c>credentials.x</c>.</summary>
public sealed record ProviderFieldError(string Field, string Message);

/// <summary>A kind whose configuration binds to <typeparamref name="TOptions"/> and is checked by its data annotations.</summary>
public sealed class ProviderKind<TOptions>(
    string name, Channel channel, string sectionName, IEnumerable<string> secretFields, Func<TOptions, ProviderContext, IChannelSender> create,
    IEnumerable<string>? forbiddenFields = null)
    : ProviderKind where TOptions : class
{
    private static readonly JsonSerializerOptions Binding = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, // a misspelt field is an error, not a default
    };

    public override string Name => name;

    public override Channel Channel => channel;

    public override IReadOnlySet<string> SecretFields { get; } = secretFields.ToHashSet(StringComparer.OrdinalIgnoreCase);

    public override IReadOnlySet<string> ForbiddenFields { get; } = (forbiddenFields ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public override IReadOnlyList<ProviderFieldError> Validate(JsonObject config)
    {
        TOptions options;
        try
        {
            options = Bind(config);
        }
        catch (JsonException e)
        {
            // System.Text.Json names the path and the problem, never the value.
            return [new ProviderFieldError(Field(e.Path?.TrimStart('$', '.') ?? ""), e.Message.Split(" Path:")[0])];
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results
            .Select(r => new ProviderFieldError(Field(r.MemberNames.FirstOrDefault() ?? ""), Tidy(r.ErrorMessage)))
            .ToArray();
    }

    public override IChannelSender Create(ProviderContext context, JsonObject config) => create(Bind(config), context);

    private static TOptions Bind(JsonObject config) =>
        config.Deserialize<TOptions>(Binding) ?? throw new JsonException("The configuration is empty.");

    private string Field(string member)
    {
        if (member.Length == 0)
        {
            return "settings";
        }

        var camel = JsonNamingPolicy.CamelCase.ConvertName(member);
        return SecretFields.Contains(camel) ? $"credentials.{camel}" : $"settings.{camel}";
    }

    // The options' messages speak to operators (Notifly:Channels:Twilio:From must be …); a tenant
    // sees the field's own name instead.
    private string Tidy(string? message) => (message ?? "is invalid").Replace($"{sectionName}:", "", StringComparison.Ordinal);
}
