using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Notifly.Api.Auth;
using Notifly.Api.Dashboard;
using Notifly.Api.Metrics;
using Notifly.Api.Operator;
using Notifly.Grains.Channels;
using Notifly.Grains.Channels.Email;
using Notifly.Grains.Channels.Push;
using Notifly.Grains.Channels.Sms;
using Notifly.Grains.Channels.Webhook;
using Notifly.Grains.Intake;
using Notifly.Grains.Kafka;
using Notifly.Grains.Kafka.Ingestion;
using Notifly.Grains.Kafka.Outbox;
using Notifly.Grains.Notifications;
using Notifly.Grains.Providers;
using Notifly.Grains.Recipients;
using Notifly.Grains.Retention;
using Notifly.Grains.Runtime;
using Notifly.Grains.Security;
using Notifly.Grains.StatusWebhooks;
using Notifly.Grains.Tenants;
using Notifly.Grains.Tenants.RateLimits;
using Notifly.Grains.Users;
using Notifly.Silo.Hosting.DevMailbox;
using Orleans.Configuration;

namespace Notifly.Silo.Hosting;

/// <summary>
/// Every setting Notifly reads under <c>ConnectionStrings:Notifly</c>, <c>Notifly:</c> and
/// <c>Kafka:</c>: the section each options class binds, and the type its keys bind to. A node
/// warns at start about any key it would ignore (a typo in an environment variable otherwise
/// fails silently), and the tests check the Kubernetes manifests against the same list.
/// </summary>
public static class SettingsCatalog
{
    /// <summary>The prefixes whose every key must be in the catalog.</summary>
    public static readonly string[] OwnPrefixes = ["ConnectionStrings", "Notifly", "Kafka"];

    /// <summary>Section (or single key) → the type bound there. Longest match wins.</summary>
    public static readonly IReadOnlyDictionary<string, Type> Sections = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        ["ConnectionStrings:Notifly"] = typeof(string),
        ["Notifly:Role"] = typeof(NotiflyRole),
        [RecipientsOptions.Section] = typeof(RecipientsOptions),
        ["Notifly:Tracing:Enabled"] = typeof(bool),
        [MetricsOptions.Section] = typeof(MetricsOptions),
        [AuthOptions.Section] = typeof(AuthOptions),
        ["Notifly:Auth:Throttle"] = typeof(LoginThrottleOptions),
        [OperatorOptions.Section] = typeof(OperatorOptions),
        [SecretsOptions.Section] = typeof(SecretsOptions),
        ["Notifly:Retry"] = typeof(RetryOptions),
        ["Notifly:Intake"] = typeof(IntakeOptions),
        ["Notifly:Dispatch"] = typeof(DispatchOptions),
        [RetentionOptions.Section] = typeof(RetentionOptions),
        ["Notifly:Channels"] = typeof(ChannelsOptions),
        [SmtpOptions.SectionName] = typeof(SmtpOptions),
        [WebhookOptions.SectionName] = typeof(WebhookOptions),
        [TwilioOptions.SectionName] = typeof(TwilioOptions),
        [SendGridOptions.SectionName] = typeof(SendGridOptions),
        [FcmOptions.SectionName] = typeof(FcmOptions),
        [ProvidersOptions.Section] = typeof(ProvidersOptions),
        [RateLimitOptions.Section] = typeof(RateLimitOptions),
        [TenantWatchOptions.Section] = typeof(TenantWatchOptions),
        [StatusWebhookOptions.Section] = typeof(StatusWebhookOptions),
        [OrleansHostOptions.Section] = typeof(OrleansHostOptions),
        [$"{OrleansHostOptions.Section}:Membership"] = typeof(ClusterMembershipOptions),
        [OrleansDashboardOptions.Section] = typeof(OrleansDashboardOptions),
        [DashboardHosting.DevToolsSetting] = typeof(bool),
        [DevMailboxOptions.SectionName] = typeof(DevMailboxOptions),
        [KafkaOptions.Section] = typeof(KafkaOptions),
        [OutboxOptions.Section] = typeof(OutboxOptions),
        [KafkaIngestionOptions.Section] = typeof(KafkaIngestionOptions),
    };

    /// <summary>
    /// Why <paramref name="key"/> (with <paramref name="value"/>) would not be used, or null when it
    /// binds. Keys outside <see cref="OwnPrefixes"/> are the framework's and not judged here.
    /// </summary>
    public static string? Problem(string key, string? value)
    {
        var segments = key.Split(':');
        if (!OwnPrefixes.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        // Every section the key falls under ("Notifly" itself binds RecipientsOptions), longest
        // first; the rest of the key is walked through the bound type as the binder would.
        string? first = null;
        for (var length = segments.Length; length > 0; length--)
        {
            var section = string.Join(':', segments[..length]);
            if (Sections.TryGetValue(section, out var type))
            {
                var problem = Walk(type, section, segments[length..], value);
                if (problem is null)
                {
                    return null;
                }

                first ??= problem;
            }
        }

        return first ?? "no Notifly setting has this name";
    }

    /// <summary>Every key of <paramref name="configuration"/> under our prefixes that would not be used, with why.</summary>
    public static IEnumerable<(string Key, string Problem)> Unused(IConfiguration configuration) =>
        configuration.AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => (pair.Key, Problem: Problem(pair.Key, pair.Value)))
            .Where(p => p.Problem is not null)
            .Select(p => (p.Key, p.Problem!))
            .OrderBy(p => p.Key, StringComparer.Ordinal);

    private static string? Walk(Type type, string path, string[] rest, string? value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            if (rest.Length > 0)
            {
                return $"'{rest[0]}' is not a setting: {path} is a single value";
            }

            return value is null || Converts(type, value) ? null : $"its value is not a valid {type.Name}"; // never echoed: it may be a secret
        }

        if (rest.Length == 0)
        {
            // A value where a section is expected: the binder ignores it.
            return value is null ? null : "this is a section, not a single value";
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return Walk(valueType, $"{path}:{rest[0]}", rest[1..], value);
        }

        if (ElementType(type) is { } elementType)
        {
            return int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                ? Walk(elementType, $"{path}:{rest[0]}", rest[1..], value)
                : $"'{rest[0]}' is not a list index (0, 1, …)";
        }

        var property = type.GetProperty(rest[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || (property.SetMethod is not { IsPublic: true } && IsLeaf(property.PropertyType)))
        {
            return $"'{rest[0]}' is not a setting under {path}";
        }

        return Walk(property.PropertyType, $"{path}:{property.Name}", rest[1..], value);
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid) || type == typeof(Uri);

    private static bool Converts(Type type, string value)
    {
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            return false;
        }
    }

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray
            ? type.GetElementType()
            : typeof(IEnumerable).IsAssignableFrom(type)
                ? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
                : null;
}
